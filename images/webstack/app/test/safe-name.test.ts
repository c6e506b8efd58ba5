import { candidateNames, safeFileName } from "../src/safe-name";

describe("safeFileName: a client's file name becomes one harmless path segment", () => {
  it.each([
    ["photo.jpg", "photo.jpg"],
    ["my holiday photo.jpg", "my_holiday_photo.jpg"],
    ["../../etc/passwd", "etc_passwd"],
    ["..\\..\\windows\\win.ini", "windows_win.ini"],
    ["/etc/passwd", "etc_passwd"],
    ["evil\u0000.txt.php", "evil.txt.php"],
    [".bashrc", "bashrc"],
    ["...", "upload"],
    ["", "upload"],
    ["café.png", "cafe.png"],
    ["a<b>c|d:e*f?.txt", "abcdef.txt"],
  ])("%j -> %j", (clientName, expected) => {
    expect(safeFileName(clientName)).toBe(expected);
  });

  it("keeps the extension when it shortens a very long name", () => {
    const name = safeFileName(`${"x".repeat(500)}.jpeg`);
    expect(name.length).toBe(120);
    expect(name.endsWith(".jpeg")).toBe(true);
  });
});

describe("candidateNames: the names tried when one is taken", () => {
  it("numbers the stem and keeps the extension", () => {
    expect([...candidateNames("a.tar.gz", 3)]).toEqual(["a.tar.gz", "a.tar-1.gz", "a.tar-2.gz"]);
    expect([...candidateNames("README", 2)]).toEqual(["README", "README-1"]);
  });
});
