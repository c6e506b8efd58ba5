/**
 * Whether a client would rather read HTML than JSON, from its Accept header.
 * Browsers ask for `text/html` by name (and for everything else at a lower
 * q); curl, fetch(), Python requests and Postman accept any type, which
 * weighs both the same, and an API client that names `application/json`
 * gets it. So HTML only when text/html has a strictly higher quality than
 * application/json.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(",").flatMap((item) => {
    const [range, ...parameters] = item.trim().toLowerCase().split(";");
    const [type, subtype] = range.trim().split("/");
    if (!type || !subtype) return [];
    const q = parameters.map((parameter) => parameter.trim().match(/^q=([\d.]+)$/)?.[1]).find((value) => value !== undefined);
    return [{ type, subtype, q: q === undefined ? 1 : Number(q) }];
  });
  // RFC 9110: the most specific range that matches a media type gives its quality.
  const quality = (type: string, subtype: string): number => {
    const exact = ranges.find((r) => r.type === type && r.subtype === subtype);
    const anySubtype = ranges.find((r) => r.type === type && r.subtype === "*");
    const anything = ranges.find((r) => r.type === "*" && r.subtype === "*");
    return (exact ?? anySubtype ?? anything)?.q ?? 0;
  };
  return quality("text", "html") > quality("application", "json");
}
