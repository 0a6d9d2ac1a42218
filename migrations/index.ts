import { Initial1763800000000 } from "./1763800000000-initial.js";

/** Every migration, oldest first. A new migration is added here and never edited afterwards. */
export const migrations = [Initial1763800000000];
