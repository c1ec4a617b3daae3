// The few Node built-ins the vector test uses, typed here so that the web app needs no
// @types/node (web/package.json and its lock stay as the web app has them).
declare module "node:test" {
  export function test(name: string, fn: () => void | Promise<void>): void;
}
declare module "node:assert/strict" {
  const assert: {
    equal(actual: unknown, expected: unknown, message?: string): void;
    deepEqual(actual: unknown, expected: unknown, message?: string): void;
    ok(value: unknown, message?: string): void;
  };
  export default assert;
}
declare module "node:fs" {
  export function readFileSync(path: URL, encoding: "utf8"): string;
}
declare class URL {
  constructor(input: string, base?: string);
}
interface ImportMeta {
  readonly url: string;
}
