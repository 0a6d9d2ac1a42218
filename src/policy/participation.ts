import { isInAudience, type AudienceDirectory } from "./audience.js";
import type { TlpLabel } from "./tlp.js";

/**
 * How someone became party to a ticket's exchange: the `reporter` (the case is theirs), the
 * `provider`'s person who accepted it, DSX people the reporter `asked` in (`!dsx assist`, or her
 * own `!dsx invite`), and people `invited` with `!dsx invite` under the label of the moment.
 */
export type Admission = "reporter" | "provider" | "asked" | "invited";

/** One person recorded as party to an exchange, and how they came in. */
export interface Participant {
  readonly userId: string;
  readonly via: Admission;
}

/** What a ticket's participation depends on besides its records. */
export interface TicketParties {
  readonly label: TlpLabel;
  readonly partnerOrg: string | null;
  readonly providerOrg: string | null;
  /** The organisations party to the exchange (partner, provider once assigned, DSX). */
  readonly organisations: ReadonlySet<string>;
  readonly dsxOrg: string;
  readonly botUserId: string;
}

/** DSX's own people, members or affiliates: they join a ticket only at the reporter's word. */
export function isDsxPerson(userId: string, dsxOrg: string, directory: AudienceDirectory): boolean {
  return (
    directory.organisationOf(userId)?.id === dsxOrg ||
    directory.affiliationsOf(userId).some((org) => org.id === dsxOrg)
  );
}

/**
 * The recorded participants who take part now. A participant's place holds only as long as
 * what admitted them: the reporter always; the provider's person while in that organisation; DSX
 * people the reporter asked in while they are DSX's; an invited member of the partner or of the
 * assigned provider while a member (DESIGN.md: "the reporting partner's people who took part,
 * the assigned provider's people" are party at any label); anyone else invited while they would
 * be admitted again at the current label by the others (so raising a label, or a directory that
 * drops them, ends it, and the guard then removes them from the room).
 */
export function currentParticipants(
  recorded: readonly Participant[],
  parties: TicketParties,
  directory: AudienceDirectory,
): string[] {
  const standing = recorded.filter((p) => {
    switch (p.via) {
      case "reporter":
        return true;
      case "provider":
        return (
          parties.providerOrg !== null &&
          directory.organisationOf(p.userId)?.id === parties.providerOrg
        );
      case "asked":
        return isDsxPerson(p.userId, parties.dsxOrg, directory);
      case "invited": {
        const organisation = directory.organisationOf(p.userId)?.id;
        return (
          organisation !== undefined &&
          organisation !== parties.dsxOrg &&
          [parties.partnerOrg, parties.providerOrg].includes(organisation)
        );
      }
    }
  });
  const base = {
    participants: new Set([...standing.map((p) => p.userId), parties.botUserId]),
    organisations: parties.organisations,
  };
  const invited = recorded.filter(
    (p) =>
      p.via === "invited" &&
      !base.participants.has(p.userId) &&
      isInAudience(parties.label, p.userId, base, directory, parties.botUserId),
  );
  return [...new Set([...standing, ...invited].map((p) => p.userId))];
}

/**
 * Who may close a ticket from its room, erasing the case: the reporter (it is theirs), the
 * assigned provider's people (they work it) and the DSX team (who broker it); not everyone
 * else who was invited along.
 */
export function mayCloseTicket(
  userId: string,
  ticket: { readonly reporterId: string | null; readonly providerOrg: string | null },
  dsxOrg: string,
  directory: AudienceDirectory,
): boolean {
  if (userId === ticket.reporterId) return true;
  const organisation = directory.organisationOf(userId)?.id;
  return organisation !== undefined && [ticket.providerOrg, dsxOrg].includes(organisation);
}
