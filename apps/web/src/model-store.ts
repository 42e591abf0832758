/**
 * The page's saved models in IndexedDB (database `convnet-ts-web`, object
 * store `models`; key `latest`: the model in use by the MNIST views, key
 * `images`: the "Train on your images" view's): the bytes of a convnet-ts
 * model file with a label and the time it was saved, so a trained network
 * survives a reload.
 */
export interface StoredModel {
  bytes: Uint8Array;
  label: string;
  savedAt: string;
}

const DB = 'convnet-ts-web';
const STORE = 'models';
/** Which view's model: the MNIST views' (`latest`) or the images view's. */
export type StoredModelKey = 'latest' | 'images';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new Error(`model store: opening IndexedDB '${DB}' failed: ${request.error?.message ?? 'unknown error'}`));
  });
}

async function transact<T>(mode: IDBTransactionMode, key: StoredModelKey, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    // Settled when the transaction completes, not when its request succeeds: only then is a write
    // committed (a reload right after a request's success could still lose it).
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = act(tx.objectStore(STORE));
      const fail = () => reject(new Error(`model store: ${mode} of '${key}' failed: ${(request.error ?? tx.error)?.message ?? 'unknown error'}`));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = fail;
      tx.onabort = fail;
    });
  } finally {
    db.close();
  }
}

/** How the page names a model restored from the store: its label and when it was saved (`… (saved 2026-12-01 15:03)`). */
export function restoredLabel(model: StoredModel): string {
  return `${model.label} (saved ${model.savedAt.slice(0, 16).replace('T', ' ')})`;
}

export async function saveStoredModel(model: StoredModel, key: StoredModelKey = 'latest'): Promise<void> {
  await transact('readwrite', key, (s) => s.put(model, key));
}

export async function loadStoredModel(key: StoredModelKey = 'latest'): Promise<StoredModel | null> {
  const found = (await transact('readonly', key, (s) => s.get(key))) as StoredModel | undefined;
  return found && found.bytes instanceof Uint8Array ? found : null;
}
