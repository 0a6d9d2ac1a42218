import { forbidden, notFound } from "../errors.js";
import { optString } from "../json.js";
import { changeMembership } from "../room-writer.js";
import { authed, json, open, type Route } from "../router.js";
import type { HomeserverState } from "../state/homeserver-state.js";

const V3 = "/_matrix/client/v3";

/** Display names and avatars; a change is mirrored into the user's joined rooms. */
export function profileRoutes(hs: HomeserverState): Route[] {
  const account = (userId: string) => {
    const found = hs.accounts.get(userId);
    if (found === undefined) throw notFound("Profile not found");
    return found;
  };
  const profile = (userId: string) => {
    const { displayName, avatarUrl } = account(userId);
    return {
      ...(displayName === undefined ? {} : { displayname: displayName }),
      ...(avatarUrl === undefined ? {} : { avatar_url: avatarUrl }),
    };
  };
  const refreshMemberships = (userId: string): void => {
    for (const room of hs.rooms.values()) {
      if (room.membership(userId) === "join") {
        changeMembership(hs, room, userId, userId, "join");
      }
    }
  };
  return [
    open("GET", `${V3}/profile/:userId`, ({ params }) => json(profile(params.userId ?? ""))),
    open("GET", `${V3}/profile/:userId/displayname`, ({ params }) => {
      const { displayname } = profile(params.userId ?? "");
      return json(displayname === undefined ? {} : { displayname });
    }),
    open("GET", `${V3}/profile/:userId/avatar_url`, ({ params }) => {
      const { avatar_url } = profile(params.userId ?? "");
      return json(avatar_url === undefined ? {} : { avatar_url });
    }),
    authed("PUT", `${V3}/profile/:userId/displayname`, ({ params, body, requester }) => {
      if (params.userId !== requester.userId) throw forbidden("Cannot set another user's name");
      account(requester.userId).displayName = optString(body, "displayname");
      refreshMemberships(requester.userId);
      return json({});
    }),
    authed("PUT", `${V3}/profile/:userId/avatar_url`, ({ params, body, requester }) => {
      if (params.userId !== requester.userId) throw forbidden("Cannot set another user's avatar");
      account(requester.userId).avatarUrl = optString(body, "avatar_url");
      refreshMemberships(requester.userId);
      return json({});
    }),
  ];
}
