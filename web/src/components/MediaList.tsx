/**
 * A message's media: pictures as thumbnails (each a link to the full picture), video, audio
 * and other files as a chip with their type and size that opens them.
 */
import type { MediaItem } from '../api/messages';
import { mediaSrc } from '../api/media';

/** 68 B, 12.3 KB, 1.2 MB. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const KIND: Record<string, string> = { video: 'Video', audio: 'Audio', text: 'Text', application: 'File' };

export function kindOf(contentType: string): string {
  return KIND[contentType.split('/')[0]] ?? 'File';
}

export function MediaList({ media, label = 'Media' }: { media: MediaItem[]; label?: string }) {
  return (
    <ul className="media-list" aria-label={label}>
      {media.map((m) => {
        const src = mediaSrc(m);
        const name = m.filename ?? m.id;
        return (
          <li key={m.id}>
            {m.content_type.startsWith('image/') ? (
              <a href={src} target="_blank" rel="noreferrer" className="thumb">
                <img src={src} alt={`Picture ${name}`} loading="lazy" />
              </a>
            ) : (
              <a href={src} target="_blank" rel="noreferrer" className="file-chip">
                {kindOf(m.content_type)}: {name} ({sizeText(m.size)})
              </a>
            )}
          </li>
        );
      })}
    </ul>
  );
}
