import { randomBytes } from "node:crypto";

/** The environment variables bot.example.yaml refers to, with throwaway values. */
export function exampleEnv(): NodeJS.ProcessEnv {
  return {
    DSX_ACCESS_TOKEN: "syt_test_token",
    DSX_STORE_PASSPHRASE: "correct horse battery staple",
    DSX_DATA_KEY: randomBytes(32).toString("base64"),
  };
}
