import express, { type Request, type Response, type Router } from 'express';

/** Where an integrator goes next; hrefs are relative to the server's base URL. */
export const FRONT_DOOR_LINKS = [
  { rel: 'docs', href: '/docs', title: 'API documentation for /v1 (OpenAPI, rendered)' },
  { rel: 'openapi', href: '/v1/openapi.json', title: 'OpenAPI 3.1 document of the /v1 JSON APIs' },
  { rel: 'fhir-base', href: '/fhir/R4', title: 'FHIR R4 base URL' },
  { rel: 'fhir-metadata', href: '/fhir/R4/metadata', title: 'FHIR CapabilityStatement: every resource, interaction and search parameter' },
  { rel: 'healthz', href: '/healthz', title: 'Liveness probe' },
  { rel: 'readyz', href: '/readyz', title: 'Readiness probe (database reachable, migrations applied)' },
] as const;

const NAME = 'FHIR R4 facade server';
const SUMMARY =
  'A FHIR R4 server for Patient, Practitioner, PractitionerRole, ServiceRequest, Organization and Location, ' +
  'the /v1 JSON APIs as projections of those resources, and the bridge to Junction lab orders. ' +
  'Every API call needs an API key (Authorization: Bearer <key> or x-api-key).';

export const FRONT_DOOR_CSS_PATH = '/front-door.css';

// A stylesheet of our own origin: the page needs no inline style or script under the CSP.
const CSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.6rem;margin-bottom:.25rem}p{color:#444}ul{padding-left:1.2rem}li{margin:.4rem 0}
a{color:#0b5cad}code{background:#f2f4f7;padding:.1rem .3rem;border-radius:3px}`;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(): string {
  const items = FRONT_DOOR_LINKS.map((l) => `<li><a href="${l.href}"><code>${l.href}</code></a> — ${escapeHtml(l.title)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${NAME}</title>
<link rel="stylesheet" href="${FRONT_DOOR_CSS_PATH}">
</head>
<body>
<h1>${NAME}</h1>
<p>${escapeHtml(SUMMARY)}</p>
<ul>
${items}
</ul>
</body>
</html>
`;
}

const HTML = page();

/**
 * `GET /`: a browser (one that prefers text/html) gets a small page of links, any other client
 * JSON with absolute links. Open, like the probes: it says nothing a CapabilityStatement does not.
 */
export function frontDoor(baseUrlOf: (req: Request) => string): Router {
  const router = express.Router();
  router.get('/', (req: Request, res: Response) => {
    res.vary('Accept');
    if (req.accepts(['application/json', 'text/html']) === 'text/html') {
      res.type('html').send(HTML);
      return;
    }
    const base = baseUrlOf(req);
    res.json({
      name: NAME,
      description: SUMMARY,
      links: Object.fromEntries(FRONT_DOOR_LINKS.map((l) => [l.rel, { href: `${base}${l.href}`, title: l.title }])),
    });
  });
  router.get(FRONT_DOOR_CSS_PATH, (_req, res) => {
    res.type('css').set('cache-control', 'public, max-age=3600').send(CSS);
  });
  return router;
}
