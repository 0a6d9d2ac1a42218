import { MatrixError, forbidden, notFound } from "../errors.js";
import { authed, json, open, type RequestContext, type Route } from "../router.js";
import type { SpecProfile } from "../spec-versions.js";
import type { HomeserverState } from "../state/homeserver-state.js";

const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/**
 * Media upload, the authenticated download (v1.11: absent from an older server, so that it
 * answers as any unknown endpoint) and the legacy unauthenticated download (frozen when
 * `spec.legacyMedia` is false: every media is "new", so it answers `404 M_NOT_FOUND`, as Synapse
 * with `enable_authenticated_media` does for media uploaded since).
 */
export function mediaRoutes(hs: HomeserverState, spec: SpecProfile): Route[] {
  const download = ({ params }: RequestContext) => {
    if (params.serverName !== hs.serverName) throw notFound("Remote media is not available");
    const media = hs.media.get(params.mediaId ?? "");
    if (media === undefined) throw notFound("Media not found");
    const fileName = params.fileName ?? media.fileName;
    return {
      raw: media.data,
      contentType: media.contentType,
      headers: {
        "Content-Disposition":
          fileName === undefined
            ? "attachment"
            : `attachment; filename*=utf-8''${encodeURIComponent(fileName)}`,
        "Content-Security-Policy": "sandbox; default-src 'none';",
      },
    };
  };
  const frozen = () => {
    throw notFound("Not found");
  };
  const legacyDownload = spec.legacyMedia ? download : frozen;
  const config = () => json({ "m.upload.size": MAX_UPLOAD_BYTES });
  const upload: Route = {
    method: "POST",
    path: "/_matrix/media/v3/upload",
    auth: "required",
    body: "raw",
    handle: ({ rawBody, headers, query, requester }) => {
      if (requester === undefined) throw forbidden("Upload needs an access token");
      if (rawBody.length > MAX_UPLOAD_BYTES) {
        throw new MatrixError(413, "M_TOO_LARGE", "Upload too large");
      }
      const media = hs.media.put(
        rawBody,
        headers["content-type"] ?? "application/octet-stream",
        query.get("filename") ?? undefined,
        requester.userId,
      );
      return json({ content_uri: `mxc://${hs.serverName}/${media.mediaId}` });
    },
  };
  const authedMedia = "/_matrix/client/v1/media";
  const legacyMedia = "/_matrix/media/v3";
  return [
    upload,
    ...(spec.authenticatedMedia
      ? [
          authed("GET", `${authedMedia}/download/:serverName/:mediaId`, download),
          authed("GET", `${authedMedia}/download/:serverName/:mediaId/:fileName`, download),
          authed("GET", `${authedMedia}/thumbnail/:serverName/:mediaId`, download),
          authed("GET", `${authedMedia}/config`, config),
        ]
      : []),
    open("GET", `${legacyMedia}/download/:serverName/:mediaId`, legacyDownload),
    open("GET", `${legacyMedia}/download/:serverName/:mediaId/:fileName`, legacyDownload),
    open("GET", `${legacyMedia}/thumbnail/:serverName/:mediaId`, legacyDownload),
    authed("GET", `${legacyMedia}/config`, config),
  ];
}
