/**
 * demo-1: the program both signal-handling images run. It prints the
 * arguments it was given, counts once a second, and on SIGTERM or SIGINT says
 * so and exits 0. Whether that message ever appears is the lesson: only the
 * exec-form image lets docker stop's SIGTERM reach node.
 */
const COUNT_INTERVAL_MS = 1000;

let count = 0;
const counter = setInterval(() => console.log(String(++count)), COUNT_INTERVAL_MS);

// Registered before the first line is printed, so whoever watches the output
// knows the handlers are in place.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    console.log(`received ${signal}, exiting`);
    // Nothing else keeps the event loop alive, so node exits 0 on its own.
    clearInterval(counter);
  });
}

console.log("Starting");
console.log(`arguments: ${JSON.stringify(process.argv.slice(2))}`);
console.log(String(count));
