// A cached drawing layer: what does not change from frame to frame (a chart's
// lines, the timeline's shading, a window of messages) is painted once into an
// offscreen canvas and copied onto the screen each frame, so playing costs one
// `drawImage` plus the cursor instead of a full redraw.

export class Layer {
  constructor() {
    this.canvas = document.createElement('canvas');
    this.key = null;
    this.result = null;
  }

  /**
   * Copy the cached picture onto `target` (a context scaled by `fitCanvas`),
   * repainting it with `paint(ctx)` first when `key` or the size changed.
   * Returns what `paint` returned (e.g. a plot rectangle for the cursor).
   */
  draw(target, key, paint) {
    const { width, height } = target.canvas;
    if (this.key !== key || this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      const ctx = this.canvas.getContext('2d');
      ctx.setTransform(target.getTransform());
      this.result = paint(ctx);
      this.key = key;
    }
    target.save();
    target.setTransform(1, 0, 0, 1, 0, 0);
    target.drawImage(this.canvas, 0, 0);
    target.restore();
    return this.result;
  }
}

/** A vertical cursor line from y0 to y1 at x (CSS pixels). */
export function drawCursor(ctx, x, y0, y1, colour) {
  ctx.fillStyle = colour;
  ctx.fillRect(Math.round(x) - 0.5, y0, 1, y1 - y0);
}
