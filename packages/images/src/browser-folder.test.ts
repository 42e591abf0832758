import { describe, expect, it } from 'vitest';
import { type DroppedFile, filesFromDataTransfer, filesFromInput, scanDroppedFiles } from './browser-folder.js';
import { valSplit } from './imdb-dataset.js';

const dropped = (...paths: string[]): DroppedFile[] => paths.map((path) => ({ path, file: new File([path], path.split('/').at(-1)!) }));

describe('scanDroppedFiles', () => {
  it('takes off the dropped folder, labels classes 1..C in code-point order and sorts images by path', () => {
    const f = scanDroppedFiles(dropped('photos/dog/b.jpg', 'photos/Cat/z.PNG', 'photos/dog/a.jpeg', 'photos/cat/x.png'));
    expect(f.imdb.root).toBe('photos');
    expect(f.imdb.meta.classes).toEqual(['Cat', 'cat', 'dog']);
    expect(f.imdb.images.name).toEqual(['photos/Cat/z.PNG', 'photos/cat/x.png', 'photos/dog/a.jpeg', 'photos/dog/b.jpg']);
    expect(f.imdb.images.label).toEqual([1, 2, 3, 3]);
    expect(f.counts).toEqual([1, 1, 2]);
    expect(f.files.map((x) => x.name)).toEqual(['z.PNG', 'x.png', 'a.jpeg', 'b.jpg']);
    expect(f.ignored).toEqual([]);
  });

  it('reads class folders dropped side by side, and images nested below a class folder', () => {
    const f = scanDroppedFiles(dropped('a/1.png', 'b/deep/2.png', 'b/3.png'));
    expect(f.imdb.root).toBe('');
    expect(f.imdb.meta.classes).toEqual(['a', 'b']);
    expect(f.imdb.images.label).toEqual([1, 2, 2]);
  });

  it('names every file it leaves out and why', () => {
    const f = scanDroppedFiles(dropped('set/a/1.png', 'set/a/notes.txt', 'set/.DS_Store', 'set/b/.hidden.png', 'set/loose.png', 'set/b/2.jpg'));
    expect(f.imdb.images.name).toEqual(['set/a/1.png', 'set/b/2.jpg']);
    expect(f.ignored).toEqual([
      { path: 'set/a/notes.txt', reason: 'not a .png / .jpg / .jpeg file name' },
      { path: 'set/.DS_Store', reason: 'hidden file or folder' },
      { path: 'set/b/.hidden.png', reason: 'hidden file or folder' },
      { path: 'set/loose.png', reason: 'not inside a class folder' },
    ]);
  });

  it('splits each class as the Node datasets do (the same valSplit, same seeds)', () => {
    const paths = Array.from({ length: 30 }, (_, i) => `d/${['x', 'y', 'z'][i % 3]}/${String(i).padStart(2, '0')}.png`);
    const f = scanDroppedFiles(dropped(...paths), { valFraction: 0.2, seed: 7 });
    expect(f.imdb.images.set).toEqual(valSplit(f.imdb.images.label, 3, 0.2, 7));
    expect(f.imdb.images.set.filter((s) => s === 2)).toHaveLength(6);
  });

  it('throws a clear error for a drop with no class folder of images, and for a bad valFraction', () => {
    expect(() => scanDroppedFiles(dropped('a.png', 'notes/readme.txt'))).toThrow('files must be a folder with one sub-folder of PNG or JPEG images per class, got 2 files, none a PNG or JPEG image inside a class folder');
    expect(() => scanDroppedFiles([])).toThrow('got no files');
    expect(() => scanDroppedFiles(dropped('a/1.png'), { valFraction: 1 })).toThrow('valFraction must be in [0, 1), got 1');
  });

  it('filesFromInput uses webkitRelativePath, else the name', () => {
    const withPath = new File(['x'], '1.png');
    Object.defineProperty(withPath, 'webkitRelativePath', { value: 'top/c/1.png' });
    expect(filesFromInput([withPath, new File(['y'], '2.png')]).map((f) => f.path)).toEqual(['top/c/1.png', '2.png']);
  });
});

/** A folder tree as the File and Directory Entries API gives it: readEntries hands out `chunk` entries per call, then none. */
function entry(fullPath: string, tree: Record<string, unknown> | string, chunk = 2): FileSystemEntry {
  const name = fullPath.split('/').at(-1)!;
  if (typeof tree === 'string') {
    return { isFile: true, isDirectory: false, fullPath, name, file: (ok: (f: File) => void) => ok(new File([tree], name)) } as unknown as FileSystemFileEntry;
  }
  const children = Object.entries(tree).map(([n, t]) => entry(`${fullPath}/${n}`, t as Record<string, unknown> | string, chunk));
  return {
    isFile: false,
    isDirectory: true,
    fullPath,
    name,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok: (e: FileSystemEntry[]) => void) => {
          const part = children.slice(at, at + chunk);
          at += chunk;
          queueMicrotask(() => ok(part));
        },
      };
    },
  } as unknown as FileSystemDirectoryEntry;
}

const transfer = (entries: (FileSystemEntry | null)[], files: File[] = []): DataTransfer =>
  ({ items: entries.map((e) => ({ kind: 'file', webkitGetAsEntry: () => e })), files }) as unknown as DataTransfer;

describe('filesFromDataTransfer', () => {
  it('walks dropped folders to the bottom, reading each folder in chunks, with paths from the drop', async () => {
    const photos = entry('/photos', { cat: { 'a.png': 'a', 'b.png': 'b', 'c.png': 'c', deep: { 'd.jpg': 'd' } }, dog: { 'e.jpg': 'e' }, 'notes.txt': 'n' });
    const loose = entry('/x.png', 'x');
    const files = await filesFromDataTransfer(transfer([photos, loose]));
    expect(files.map((f) => f.path)).toEqual(['photos/cat/a.png', 'photos/cat/b.png', 'photos/cat/c.png', 'photos/cat/deep/d.jpg', 'photos/dog/e.jpg', 'photos/notes.txt', 'x.png']);
    expect(await files[3]!.file.text()).toBe('d');
    const folder = scanDroppedFiles(files);
    expect(folder.imdb.meta.classes).toEqual(['photos']);
    expect(scanDroppedFiles(files.slice(0, 6)).imdb.meta.classes).toEqual(['cat', 'dog']);
  });

  it('falls back to the dropped files when the browser gives no entries', async () => {
    const a = new File(['a'], 'a.png');
    expect((await filesFromDataTransfer(transfer([null], [a]))).map((f) => f.path)).toEqual(['a.png']);
  });
});
