/**
 * The Teams app's two icons: a 192×192 colour icon and a 32×32 outline icon, white on transparent
 * (Teams tints it). `drawIcons` makes the ones shipped in teams/ (an envelope, `npm run teams:icons`);
 * `iconProblems` checks any replacement a company drops in before it is packaged.
 */
import { PNG } from 'pngjs';

export const ICON_SIZES = Object.freeze({ color: 192, outline: 32 });
export type IconKind = keyof typeof ICON_SIZES;

/** Alibaba Cloud orange: the colour icon's background and the manifest's accentColor. */
export const ACCENT: RGB = [0xff, 0x6a, 0x00];
const WHITE: RGB = [0xff, 0xff, 0xff];

type RGB = readonly [number, number, number];
/** Whether a point (in pixels, 0..size) is inside a shape. */
type Shape = (x: number, y: number) => boolean;

const rect = (x0: number, y0: number, x1: number, y1: number): Shape => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;

/** A line from a to b, `width` thick. */
function segment(ax: number, ay: number, bx: number, by: number, width: number): Shape {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSq = dx * dx + dy * dy;
  return (x, y) => {
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / lengthSq));
    return Math.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= width / 2;
  };
}

const union = (...shapes: Shape[]): Shape => (x, y) => shapes.some((s) => s(x, y));
const minus = (a: Shape, b: Shape): Shape => (x, y) => a(x, y) && !b(x, y);

/** Layers painted in order over a background (null: transparent), 4×4 samples a pixel for smooth edges. */
function paint(size: number, background: RGB | null, layers: readonly { color: RGB; shape: Shape }[]): Buffer {
  const png = new PNG({ width: size, height: size });
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = px + (sx + 0.5) / n;
          const y = py + (sy + 0.5) / n;
          let color: RGB | null = background;
          for (const layer of layers) if (layer.shape(x, y)) color = layer.color;
          if (color) {
            r += color[0];
            g += color[1];
            b += color[2];
            a += 1;
          }
        }
      }
      const i = (py * size + px) * 4;
      // The covered samples' colour, and how much of the pixel they cover as its opacity.
      png.data[i] = a === 0 ? 0 : Math.round(r / a);
      png.data[i + 1] = a === 0 ? 0 : Math.round(g / a);
      png.data[i + 2] = a === 0 ? 0 : Math.round(b / a);
      png.data[i + 3] = Math.round((255 * a) / (n * n));
    }
  }
  return PNG.sync.write(png);
}

/** A white envelope on the accent colour, inside the 120×120 area Teams keeps clear of its rounding. */
function colorIcon(): Buffer {
  const s = ICON_SIZES.color;
  const [x0, y0, x1, y1] = [36, 54, s - 36, s - 54];
  const flapTip = (y0 + y1) / 2 + 6;
  return paint(s, ACCENT, [
    { color: WHITE, shape: rect(x0, y0, x1, y1) },
    {
      color: ACCENT,
      shape: union(segment(x0 + 6, y0 + 6, s / 2, flapTip, 8), segment(x1 - 6, y0 + 6, s / 2, flapTip, 8)),
    },
  ]);
}

/** The envelope's outline in white, on nothing. */
function outlineIcon(): Buffer {
  const s = ICON_SIZES.outline;
  const [x0, y0, x1, y1] = [3, 7, s - 3, s - 7];
  const frame = minus(rect(x0, y0, x1, y1), rect(x0 + 2, y0 + 2, x1 - 2, y1 - 2));
  const flap = union(segment(x0 + 1, y0 + 1, s / 2, s / 2 + 1, 2), segment(x1 - 1, y0 + 1, s / 2, s / 2 + 1, 2));
  return paint(s, null, [{ color: WHITE, shape: union(frame, flap) }]);
}

export function drawIcons(): Record<IconKind, Buffer> {
  return { color: colorIcon(), outline: outlineIcon() };
}

/** What is wrong with an icon for Teams: not a PNG, the wrong size, or (outline) anything but white and transparent. */
export function iconProblems(kind: IconKind, file: Buffer): string[] {
  let png: PNG;
  try {
    png = PNG.sync.read(file);
  } catch (err) {
    return [`${kind} icon: not a readable PNG (${err instanceof Error ? err.message : String(err)})`];
  }
  const size = ICON_SIZES[kind];
  if (png.width !== size || png.height !== size) return [`${kind} icon: ${png.width}×${png.height}, Teams needs ${size}×${size}`];
  if (kind === 'outline') {
    for (let i = 0; i < png.data.length; i += 4) {
      const visible = (png.data[i + 3] ?? 0) > 0;
      if (visible && (png.data[i] !== 255 || png.data[i + 1] !== 255 || png.data[i + 2] !== 255)) {
        return ['outline icon: Teams needs white on a transparent background; it has other colours'];
      }
    }
  }
  return [];
}
