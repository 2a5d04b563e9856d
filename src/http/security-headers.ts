import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

/** The HTML pages: the front door (which browsers get as a page) and the API docs. */
const isPage = (path: string): boolean => path === '/' || path === '/docs' || path.startsWith('/docs/');

/**
 * Security headers. The HTML pages get helmet's full set for documents. Every other answer is
 * data for programs (FHIR and /v1 JSON, NDJSON, probes), and gets what OWASP's REST Security
 * Cheat Sheet asks of an API: a policy that lets the answer load nothing and be framed nowhere
 * (`default-src 'none'; frame-ancestors 'none'`, `X-Frame-Options: DENY`), `nosniff`, HSTS, no
 * referrer, the cross-origin resource policy, and `Cache-Control: no-store` (answers carry
 * patient data; a client's own `If-None-Match` still gets its 304). Headers that only a
 * rendered document uses (opener policy, origin-keyed agent clusters, DNS prefetch, IE download
 * and XSS-filter switches, Flash cross-domain policies) are left off those answers: each is
 * bytes on every response and work for both ends, for nothing.
 */
export function securityHeaders(crossOrigin: boolean) {
  const crossOriginResourcePolicy = { policy: crossOrigin ? 'cross-origin' : 'same-origin' } as const;
  const pages = helmet({ crossOriginResourcePolicy });
  const data = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy,
    xFrameOptions: { action: 'deny' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isPage(req.path)) return pages(req, res, next);
    res.setHeader('Cache-Control', 'no-store');
    data(req, res, next);
  };
}
