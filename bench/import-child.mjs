// Child process: the time of a cold `import()` of the given specifiers, in milliseconds, on stdout.
const specifiers = process.argv.slice(2);
const started = performance.now();
for (const specifier of specifiers) await import(specifier);
process.stdout.write(String(performance.now() - started));
