/**
 * The one Content-Security-Policy builder. Every page starts from the strictest policy (nothing
 * but our own stylesheet, images and form posts; no script, no framing, no plugins) and names the
 * relaxations it needs.
 */
export interface CspOptions {
  /** Same-origin scripts (/assets/admin.js, bull-board's bundle). Default: no script at all. */
  scripts?: boolean;
  /** `style=""` attributes and `<style>` (bull-board's React app). Default: our stylesheet only. */
  inlineStyles?: boolean;
  /** A `<base href>` on our own origin (bull-board). Default: none. */
  ownBaseUrl?: boolean;
  /**
   * Someone else's HTML (a stored mail): a sandbox with an origin of its own, nothing loaded from
   * any network, framable by our pages only. The other options do not apply.
   */
  foreignHtml?: boolean;
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  if (options.foreignHtml) {
    return ["sandbox", "default-src 'none'", "style-src 'unsafe-inline'", 'img-src data:', "frame-ancestors 'self'"].join('; ');
  }
  return [
    "default-src 'none'",
    `script-src ${options.scripts ? "'self'" : "'none'"}`,
    `style-src 'self'${options.inlineStyles ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    `base-uri ${options.ownBaseUrl ? "'self'" : "'none'"}`,
    "object-src 'none'",
  ].join('; ');
}
