/** `npm run labs` (and the end of `npm run up`): every URL and every line to try, readable. */
import { formatLabs } from "../../scripts/labs/labsTable";

it("prints one row per URL, then every Try line of every lab under its name", () => {
  const text = formatLabs({
    "docker-basics": { urls: { tcp: "tcp://localhost:3001" }, tryIt: ["echo hi | nc -w 1 localhost 3001", "docker stop signals-exec"] },
    dockercoins: { urls: { webui: "http://localhost:8000/", rng: "http://localhost:8001/" }, tryIt: ["open http://localhost:8000/"] },
  });
  expect(text.split("\n")).toEqual([
    "lab            what   where",
    "docker-basics  tcp    tcp://localhost:3001",
    "dockercoins    webui  http://localhost:8000/",
    "               rng    http://localhost:8001/",
    "",
    "Try:",
    "docker-basics:",
    "  echo hi | nc -w 1 localhost 3001",
    "  docker stop signals-exec",
    "",
    "dockercoins:",
    "  open http://localhost:8000/",
  ]);
});
