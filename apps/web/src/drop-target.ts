/** An element that takes drops: highlighted (class `over`) while something is dragged over it; `onDrop` gets the drop's DataTransfer. */
export function dropTarget(el: HTMLElement, onDrop: (data: DataTransfer) => void): void {
  el.addEventListener('dragover', (e) => {
    e.preventDefault();
    el.classList.add('over');
  });
  el.addEventListener('dragleave', () => el.classList.remove('over'));
  el.addEventListener('drop', (e) => {
    e.preventDefault();
    el.classList.remove('over');
    if (e.dataTransfer) onDrop(e.dataTransfer);
  });
}
