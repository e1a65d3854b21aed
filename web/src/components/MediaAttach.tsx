/**
 * Attaching pictures, video or audio to a message: each file chosen is uploaded at once
 * (POST /v1/media) with its progress; a refusal (a type Hermod does not send, a file too
 * large) is said at the field in Hermod's words; attached pictures show as thumbnails, each
 * with its Remove button.
 */
import { useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { uploadMedia } from '../api/media';
import { Field } from './Field';
import { kindOf, sizeText } from './MediaList';

export interface Attachment {
  key: number;
  name: string;
  /** A local preview of a picture (a data: URL: the console's CSP allows no blob: images). */
  preview?: string;
  /** 0–1 while uploading. */
  progress: number;
  /** The upload's id (med_…) once Hermod has it. */
  id?: string;
  contentType?: string;
  size?: number;
}

export function useAttachments() {
  const [items, setItems] = useState<Attachment[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const next = useRef(0);

  const patch = (key: number, p: Partial<Attachment>) =>
    setItems((all) => all.map((a) => (a.key === key ? { ...a, ...p } : a)));
  const drop = (key: number) => setItems((all) => all.filter((a) => a.key !== key));

  const add = (files: File[]) => {
    setErrors([]);
    for (const file of files) {
      const key = next.current++;
      setItems((all) => [...all, { key, name: file.name, progress: 0 }]);
      if (file.type.startsWith('image/')) {
        const reader = new FileReader();
        reader.onload = () => {
          if (typeof reader.result === 'string') patch(key, { preview: reader.result });
        };
        reader.readAsDataURL(file);
      }
      uploadMedia(file, (progress) => patch(key, { progress })).then(
        (u) => patch(key, { id: u.id, progress: 1, contentType: u.content_type, size: u.size }),
        (err: unknown) => {
          drop(key);
          const why = err instanceof ApiError ? err.message : `Hermod could not be reached (${String(err)}).`;
          setErrors((e) => [...e, `${file.name}: ${why}`]);
        },
      );
    }
  };

  return {
    items,
    errors,
    add,
    remove: drop,
    /** The ids of the finished uploads, in the order attached. */
    ids: items.flatMap((a) => (a.id ? [a.id] : [])),
    uploading: items.some((a) => !a.id),
    clear: () => {
      setItems([]);
      setErrors([]);
    },
  };
}

export type Attachments = ReturnType<typeof useAttachments>;

export function MediaAttach(props: { attachments: Attachments; disabledWhy?: string | undefined }) {
  const { items, errors, add, remove } = props.attachments;
  return (
    <Field
      label="Attach picture, video or audio"
      hint={
        props.disabledWhy ??
        'Makes it an MMS: one charge per message. Pictures (JPEG, PNG, GIF), video (MP4, 3GP) or audio (MP3, AAC, AMR); up to 5 MB each.'
      }
      error={errors.length ? errors.join(' ') : undefined}
    >
      {(id, d) => (
        <>
          <input
            id={id}
            type="file"
            multiple
            accept="image/*,video/*,audio/*"
            aria-describedby={d}
            disabled={props.disabledWhy !== undefined}
            onChange={(e) => {
              add([...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
          {items.length > 0 && (
            <ul className="attachments" aria-label="Attached">
              {items.map((a) => (
                <li key={a.key}>
                  {a.preview ? (
                    <img src={a.preview} alt={`Picture ${a.name}`} className="thumb" />
                  ) : (
                    <span className="file-chip">{a.contentType ? kindOf(a.contentType) : 'File'}</span>
                  )}
                  <span className="name">
                    {a.name}
                    {a.size !== undefined && ` (${sizeText(a.size)})`}
                  </span>
                  {!a.id && (
                    <progress max={1} value={a.progress} aria-label={`Uploading ${a.name}`}>
                      {Math.round(a.progress * 100)}%
                    </progress>
                  )}
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Remove ${a.name}`}
                    onClick={() => remove(a.key)}
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Field>
  );
}
