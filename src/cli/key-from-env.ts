import type { CliIo } from "./command.js";

/**
 * A data key from the environment variable an option names (never from the command line, which
 * other users of the machine can read): undefined when no variable is named, "invalid" (said
 * why) when it is not 32 bytes of base64.
 */
export function keyFromEnv(
  name: string | boolean | undefined,
  io: CliIo,
): Buffer | "invalid" | undefined {
  if (typeof name !== "string") return undefined;
  const text = io.env[name]?.trim() ?? "";
  const key = Buffer.from(text, "base64");
  if (key.length !== 32 || key.toString("base64") !== text) {
    io.err(`${name} must hold 32 random bytes in base64 (e.g. \`openssl rand -base64 32\`)`);
    return "invalid";
  }
  return key;
}
