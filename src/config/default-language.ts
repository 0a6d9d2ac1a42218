/** The catalogue's language that every other falls back to, and that of anyone who chose none. */
export const DEFAULT_LANGUAGE = "en";
