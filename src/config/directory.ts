import { canonicalUserId } from "../policy/user-id.js";
import type { BotConfig, OrganisationConfig, OrganisationRole } from "./schema.js";

/** An organisation as the directory knows it. */
export type Organisation = OrganisationConfig;

/** The parts of the configuration that SIGHUP reloads: who is who, and which rooms are which. */
export type DirectorySource = Pick<
  BotConfig,
  "organisations" | "abuseTeam" | "advisoryCommittee" | "rooms"
>;

/**
 * Who is who in the exchange: organisations with their members and affiliates, the DSX team,
 * the abuse team, the advisory committee and the configured rooms. Immutable: a reload builds
 * a new one, so a decision never sees half of an old directory and half of a new one.
 */
export class Directory {
  readonly organisations: readonly Organisation[];
  readonly rooms: DirectorySource["rooms"];
  readonly abuseTeam: readonly string[];
  readonly advisoryCommittee: readonly string[];
  private readonly byMember = new Map<string, Organisation>();
  private readonly byAffiliate = new Map<string, Organisation[]>();
  private readonly byId = new Map<string, Organisation>();

  constructor(source: DirectorySource) {
    this.organisations = source.organisations;
    this.rooms = source.rooms;
    this.abuseTeam = source.abuseTeam;
    this.advisoryCommittee = source.advisoryCommittee;
    for (const org of source.organisations) {
      this.byId.set(org.id, org);
      for (const member of org.members) this.byMember.set(member, org);
      for (const affiliate of org.affiliates) {
        this.byAffiliate.set(affiliate, [...(this.byAffiliate.get(affiliate) ?? []), org]);
      }
    }
  }

  /** The organisation the person is a member of (not merely affiliated with). */
  organisationOf(userId: string): Organisation | undefined {
    return this.byMember.get(userId);
  }

  /** Organisations the person works for as a consultant or contractor (TLP AMBER's constituency). */
  affiliationsOf(userId: string): readonly Organisation[] {
    return this.byAffiliate.get(userId) ?? [];
  }

  organisation(id: string): Organisation | undefined {
    return this.byId.get(id);
  }

  withRole(role: OrganisationRole): Organisation[] {
    return this.organisations.filter((org) => org.role === role);
  }

  /** The DSX organisation (the configuration guarantees exactly one). */
  get dsx(): Organisation {
    const dsx = this.withRole("dsx")[0];
    if (!dsx) throw new Error("directory without a dsx organisation");
    return dsx;
  }

  isDsxTeam(userId: string): boolean {
    return this.organisationOf(userId)?.role === "dsx";
  }

  isAbuseTeam(userId: string): boolean {
    return this.abuseTeam.includes(userId);
  }

  isAdvisoryCommittee(userId: string): boolean {
    return this.advisoryCommittee.includes(userId);
  }

  /**
   * The directory's own spelling of a user ID typed another way (`@Ana:localhost` for
   * `@ana:localhost`, or with invisible characters), else the ID as given.
   */
  resolveUser(userId: string): string {
    const wanted = canonicalUserId(userId);
    const people = [
      ...this.byMember.keys(),
      ...this.byAffiliate.keys(),
      ...this.abuseTeam,
      ...this.advisoryCommittee,
    ];
    return people.find((person) => canonicalUserId(person) === wanted) ?? userId;
  }

  /** Anyone the directory names in any capacity. */
  isKnown(userId: string): boolean {
    return (
      this.byMember.has(userId) ||
      this.byAffiliate.has(userId) ||
      this.isAbuseTeam(userId) ||
      this.isAdvisoryCommittee(userId)
    );
  }
}
