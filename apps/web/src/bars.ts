/** The ten class probabilities as horizontal bars, the best one highlighted; `data-probability` holds each value. */
export function renderBars(container: HTMLElement, names: readonly string[], probabilities: ArrayLike<number> | null): void {
  container.replaceChildren();
  const best = probabilities ? Array.prototype.indexOf.call(probabilities, Math.max(...Array.from(probabilities))) : -1;
  names.forEach((name, k) => {
    const p = probabilities ? probabilities[k]! : 0;
    const label = document.createElement('span');
    label.textContent = name;
    const bar = document.createElement('div');
    bar.className = k === best ? 'bar best' : 'bar';
    bar.dataset.class = name;
    bar.dataset.probability = probabilities ? String(p) : '';
    const fill = document.createElement('div');
    fill.style.width = `${(100 * p).toFixed(1)}%`;
    bar.append(fill);
    const value = document.createElement('span');
    value.textContent = probabilities ? `${(100 * p).toFixed(1)} %` : '–';
    container.append(label, bar, value);
  });
  container.dataset.best = best >= 0 ? names[best] : '';
}
