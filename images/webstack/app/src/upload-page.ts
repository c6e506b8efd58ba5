/** What the page says about the upload just made. */
export type UploadOutcome = { stored: { name: string; url: string; bytes: number } } | { refused: string };

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);

function outcomeHtml(outcome: UploadOutcome): string {
  if ("refused" in outcome) return `    <p class="error" role="alert">Not uploaded: ${escapeHtml(outcome.refused)}</p>\n`;
  const { name, url, bytes } = outcome.stored;
  return `    <p class="stored" role="status">Uploaded <a href="${escapeHtml(url)}">${escapeHtml(name)}</a> (${bytes} bytes).</p>\n`;
}

/**
 * The course's upload page: one file field named "file", posted to /upload.
 * As the course's Flask view does, a browser's post gets the form back, here
 * with a line saying what became of the file.
 */
export function uploadPage(outcome?: UploadOutcome): string {
  return `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>Upload new file</title></head>
  <body>
    <h1>Upload new file</h1>
${outcome ? outcomeHtml(outcome) : ""}    <form action="/upload" method="post" enctype="multipart/form-data">
      <p><input type="file" name="file"> <input type="submit" value="Upload"></p>
    </form>
  </body>
</html>
`;
}
