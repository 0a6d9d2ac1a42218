import { access } from "node:fs/promises";

/** Whether a file or folder is there (what a restore checks before it writes). */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
