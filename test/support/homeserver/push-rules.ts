import type { JsonObject } from "./json.js";

const rule = (
  ruleId: string,
  conditions: JsonObject[],
  actions: unknown[],
  enabled = true,
): JsonObject => ({ rule_id: ruleId, default: true, enabled, conditions, actions });

const eventMatch = (key: string, pattern: string): JsonObject => ({
  kind: "event_match",
  key,
  pattern,
});

const notify = ["notify"];
const notifyDefaultSound = ["notify", { set_tweak: "sound", value: "default" }];
const highlight = ["notify", { set_tweak: "sound", value: "default" }, { set_tweak: "highlight" }];

/** The spec's predefined push rules for a new user (the `m.push_rules` account data). */
export function defaultPushRules(userId: string, localpart: string): JsonObject {
  return {
    global: {
      override: [
        rule(".m.rule.master", [], [], false),
        rule(".m.rule.suppress_notices", [eventMatch("content.msgtype", "m.notice")], []),
        rule(
          ".m.rule.invite_for_me",
          [
            eventMatch("type", "m.room.member"),
            eventMatch("content.membership", "invite"),
            eventMatch("state_key", userId),
          ],
          notifyDefaultSound,
        ),
        rule(".m.rule.member_event", [eventMatch("type", "m.room.member")], []),
        rule(
          ".m.rule.is_user_mention",
          [
            {
              kind: "event_property_contains",
              key: "content.m\\.mentions.user_ids",
              value: userId,
            },
          ],
          highlight,
        ),
        rule(
          ".m.rule.is_room_mention",
          [
            { kind: "event_property_is", key: "content.m\\.mentions.room", value: true },
            { kind: "sender_notification_permission", key: "room" },
          ],
          ["notify", { set_tweak: "highlight" }],
        ),
        rule(
          ".m.rule.tombstone",
          [eventMatch("type", "m.room.tombstone"), eventMatch("state_key", "")],
          ["notify", { set_tweak: "highlight" }],
        ),
        rule(".m.rule.reaction", [eventMatch("type", "m.reaction")], []),
        rule(
          ".m.rule.room.server_acl",
          [eventMatch("type", "m.room.server_acl"), eventMatch("state_key", "")],
          [],
        ),
        rule(
          ".m.rule.suppress_edits",
          [
            {
              kind: "event_property_is",
              key: "content.m\\.relates_to.rel_type",
              value: "m.replace",
            },
          ],
          [],
        ),
      ],
      content: [
        {
          rule_id: ".m.rule.contains_user_name",
          default: true,
          enabled: true,
          pattern: localpart,
          actions: highlight,
        },
      ],
      room: [],
      sender: [],
      underride: [
        rule(
          ".m.rule.call",
          [eventMatch("type", "m.call.invite")],
          ["notify", { set_tweak: "sound", value: "ring" }],
        ),
        rule(
          ".m.rule.room_one_to_one",
          [{ kind: "room_member_count", is: "2" }, eventMatch("type", "m.room.message")],
          notifyDefaultSound,
        ),
        rule(
          ".m.rule.encrypted_room_one_to_one",
          [{ kind: "room_member_count", is: "2" }, eventMatch("type", "m.room.encrypted")],
          notifyDefaultSound,
        ),
        rule(".m.rule.message", [eventMatch("type", "m.room.message")], notify),
        rule(".m.rule.encrypted", [eventMatch("type", "m.room.encrypted")], notify),
      ],
    },
  };
}
