/** The client-server spec versions this server can advertise, oldest first. */
export const SPEC_VERSIONS = [
  "r0.6.1",
  "v1.1",
  "v1.2",
  "v1.3",
  "v1.4",
  "v1.5",
  "v1.6",
  "v1.7",
  "v1.8",
  "v1.9",
  "v1.10",
  "v1.11",
  "v1.12",
] as const;

export type SpecVersion = (typeof SPEC_VERSIONS)[number];

/** The spec version that brings authenticated media (`/_matrix/client/v1/media/...`). */
export const AUTHENTICATED_MEDIA_VERSION: SpecVersion = "v1.11";

/**
 * What the server answers to, from the newest spec version it advertises: `versions` for
 * `/versions`, and whether the authenticated media endpoints exist (v1.11 and later) and the
 * legacy `/_matrix/media/v3` downloads still serve media (not frozen).
 */
export interface SpecProfile {
  readonly versions: readonly SpecVersion[];
  readonly authenticatedMedia: boolean;
  readonly legacyMedia: boolean;
}

/**
 * The profile of a server advertising every version up to `newest` (default v1.12). `legacyMedia:
 * false` freezes the legacy downloads, which only a server with authenticated media may do.
 */
export function specProfile(newest = "v1.12", legacyMedia = true): SpecProfile {
  const last = SPEC_VERSIONS.indexOf(newest as SpecVersion);
  if (last < 0) {
    throw new Error(`unknown spec version ${newest}; one of ${SPEC_VERSIONS.join(", ")}`);
  }
  const authenticatedMedia = last >= SPEC_VERSIONS.indexOf(AUTHENTICATED_MEDIA_VERSION);
  if (!legacyMedia && !authenticatedMedia) {
    throw new Error(
      `legacyMedia: false needs ${AUTHENTICATED_MEDIA_VERSION} or later (a server before ` +
        "authenticated media serves media only on the legacy paths)",
    );
  }
  return { versions: SPEC_VERSIONS.slice(0, last + 1), authenticatedMedia, legacyMedia };
}
