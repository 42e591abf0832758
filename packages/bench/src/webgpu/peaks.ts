/** An adapter's FP32 peak and where the figure comes from. */
export interface Peak {
  tflops: number;
  source: string;
}

/**
 * Vendor figures (datasheets) of dense FP32 peak, non-tensor-core, boost clock, by adapter name.
 * Matched on the adapter's words (`describeAdapter`); the first match wins, so specific names come first.
 * These are the vendors' numbers, not measured here.
 */
const VENDOR_FP32_TFLOPS: readonly [RegExp, number, string][] = [
  [/H200.*NVL|NVL.*H200/i, 60, 'NVIDIA H200 NVL datasheet'],
  [/H200/i, 67, 'NVIDIA H200 SXM datasheet (NVL: 60)'],
  [/H100.*PCIe/i, 51, 'NVIDIA H100 PCIe datasheet'],
  [/H100.*NVL/i, 60, 'NVIDIA H100 NVL datasheet'],
  [/H100/i, 67, 'NVIDIA H100 SXM datasheet (PCIe: 51)'],
  [/A100/i, 19.5, 'NVIDIA A100 datasheet'],
  [/L40S/i, 91.6, 'NVIDIA L40S datasheet'],
  [/L4\b/i, 30.3, 'NVIDIA L4 datasheet'],
  [/A10G/i, 31.2, 'NVIDIA A10G (AWS) figure'],
  [/\bA10\b/i, 31.2, 'NVIDIA A10 datasheet'],
  [/T4\b/i, 8.1, 'NVIDIA T4 datasheet'],
  [/RTX 4090/i, 82.6, 'NVIDIA RTX 4090 specifications'],
];

/** The adapter's FP32 peak from the vendor table, or null ("unknown") when its name is not in it (SwiftShader included). */
export function knownPeak(adapter: string): Peak | null {
  if (/swiftshader/i.test(adapter)) return null;
  for (const [re, tflops, source] of VENDOR_FP32_TFLOPS) if (re.test(adapter)) return { tflops, source: `vendor figure: ${source}` };
  return null;
}
