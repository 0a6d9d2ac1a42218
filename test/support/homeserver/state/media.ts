import { randomId } from "./accounts.js";

export interface StoredMedia {
  readonly mediaId: string;
  readonly contentType: string;
  readonly fileName: string | undefined;
  readonly data: Buffer;
  readonly uploader: string;
}

/** Uploaded media, by media id (all local to this server). */
export class MediaStore {
  private readonly media = new Map<string, StoredMedia>();

  put(
    data: Buffer,
    contentType: string,
    fileName: string | undefined,
    uploader: string,
  ): StoredMedia {
    const item: StoredMedia = { mediaId: randomId(18), contentType, fileName, data, uploader };
    this.media.set(item.mediaId, item);
    return item;
  }

  get(mediaId: string): StoredMedia | undefined {
    return this.media.get(mediaId);
  }
}
