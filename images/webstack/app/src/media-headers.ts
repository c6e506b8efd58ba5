import { extname } from "node:path";

/**
 * Extensions of files a browser would open as a page that can run script
 * (HTML, SVG, XML): uploads with these names are only ever downloaded. The
 * nginx template's `$webstack_media_disposition` map lists the same ones.
 */
export const ACTIVE_EXTENSIONS = ["html", "htm", "xhtml", "xht", "shtml", "svg", "svgz", "xml", "xsl"] as const;

/**
 * Every uploaded file is served so that it can never act as a page of this
 * site: no type sniffing, and should a browser render it as a document
 * anyway, the document is sandboxed (a unique origin, no script) and may load nothing.
 */
export const MEDIA_CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox";

export function mediaHeaders(fileName: string): Record<string, string> {
  const headers: Record<string, string> = {
    "x-content-type-options": "nosniff",
    "content-security-policy": MEDIA_CONTENT_SECURITY_POLICY,
  };
  const extension = extname(fileName).slice(1).toLowerCase();
  if ((ACTIVE_EXTENSIONS as readonly string[]).includes(extension)) headers["content-disposition"] = "attachment";
  return headers;
}
