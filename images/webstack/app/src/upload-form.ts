/** The course's upload page: one file field named "file", posted to /upload. */
export const UPLOAD_FORM = `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>Upload new file</title></head>
  <body>
    <h1>Upload new file</h1>
    <form action="/upload" method="post" enctype="multipart/form-data">
      <p><input type="file" name="file"> <input type="submit" value="Upload"></p>
    </form>
  </body>
</html>
`;
