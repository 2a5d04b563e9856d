import path from 'node:path';
import express, { type Router } from 'express';

/** The renderer's files served from node_modules: no CDN, so the page works offline. */
const RENDERER_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const RENDERER_FILES = new Set(['/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-16x16.png', '/favicon-32x32.png']);

export interface DocsPageOptions {
  /** Where the OpenAPI document is served. */
  specPath: string;
  /** Where the FHIR CapabilityStatement is served. */
  capabilityStatementPath: string;
}

/**
 * `GET /docs`: the OpenAPI document rendered by Swagger UI. The page has no inline script (the
 * default Content-Security-Policy allows scripts from this origin only): `init.js` starts the
 * renderer and reads the document's URL from the page.
 */
export function docsRouter(options: DocsPageOptions): Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.type('html').send(pageHtml(options));
  });
  router.get('/init.js', (_req, res) => {
    res.type('js').send(INIT_SCRIPT);
  });
  router.get('/page.css', (_req, res) => {
    res.type('css').send(PAGE_CSS);
  });
  router.use(
    '/assets',
    (req, _res, next) => next(RENDERER_FILES.has(req.path) ? undefined : 'router'),
    express.static(RENDERER_DIR, { index: false, fallthrough: false }),
  );
  return router;
}

function pageHtml({ specPath, capabilityStatementPath }: DocsPageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>API documentation · FHIR facade server</title>
  <link rel="icon" type="image/png" sizes="32x32" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="stylesheet" href="/docs/page.css">
</head>
<body>
  <nav class="docs-links">
    <strong>FHIR facade server</strong>
    <a href="${specPath}">OpenAPI document (JSON)</a>
    <a id="fhir-capability-statement" href="${capabilityStatementPath}">FHIR R4 CapabilityStatement</a>
  </nav>
  <div id="swagger-ui" data-spec-url="${specPath}"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;
}

const INIT_SCRIPT = `window.addEventListener('load', function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
    defaultModelsExpandDepth: -1,
  });
});
`;

const PAGE_CSS = `body { margin: 0; font-family: sans-serif; }
.docs-links { display: flex; gap: 1.5em; align-items: baseline; padding: 0.8em 1.5em; background: #1b1b1b; color: #fff; }
.docs-links a { color: #9cf; }
`;
