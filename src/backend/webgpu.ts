// The WebGPU backend in Node: Dawn from the optional `webgpu` package (prebuilt for linux-x64,
// running on Vulkan, so it needs only the GPU driver's Vulkan support), under
// @tensorflow/tfjs-backend-webgpu. Loaded lazily: where either package or a hardware GPU adapter
// is missing, the reason is returned and nothing is registered.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface GpuAdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software adapter (SwiftShader, llvmpipe): `auto` does not choose it. */
  software: boolean;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number; maxComputeWorkgroupStorageSize: number };
}

interface WebGpuModule {
  create(flags: string[]): { requestAdapter(opts?: unknown): Promise<Adapter | null> };
  globals: Record<string, unknown>;
}

interface Adapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  isFallbackAdapter?: boolean;
  limits: Record<string, number>;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software/i;

/** Whether the Vulkan loader Dawn needs is installed (without it Dawn only prints a warning). */
export function vulkanLoaderPresent(): boolean {
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu'];
  return dirs.some((d) => fs.existsSync(path.join(d, 'libvulkan.so.1')));
}

/**
 * Finds a GPU adapter through Dawn, or says why there is none (package not installed, no Vulkan
 * loader, no adapter). Dawn's discovery prints native warnings, so it first runs in a child
 * process whose stderr is kept; only a machine with a hardware adapter creates Dawn here.
 */
export async function findGpuAdapter(): Promise<{ adapter: GpuAdapterReport; gpu: unknown; globals: Record<string, unknown> } | { reason: string }> {
  let pkg: string;
  try {
    pkg = require.resolve('webgpu');
  } catch {
    return { reason: 'optional WebGPU backend (the webgpu package), not installed' };
  }
  if (!vulkanLoaderPresent()) return { reason: 'no GPU adapter found (no Vulkan loader, libvulkan.so.1; a GPU driver with Vulkan support is needed)' };
  const probe = spawnSync(process.execPath, ['-e', PROBE, pkg], { encoding: 'utf8', timeout: 30000 });
  const line = probe.stdout.trim().split('\n').pop() ?? '';
  let found: Adapter | null = null;
  try {
    found = JSON.parse(line) as Adapter | null;
  } catch {
    return { reason: `no GPU adapter found (the probe failed: ${(probe.stderr || probe.error?.message || 'no output').trim().split('\n')[0]})` };
  }
  if (!found) return { reason: 'no GPU adapter found (Dawn sees no Vulkan GPU)' };
  const info = found.info ?? {};
  const adapter: GpuAdapterReport = {
    vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '',
    software: Boolean(found.isFallbackAdapter) || SOFTWARE.test(`${info.description ?? ''} ${info.device ?? ''}`),
    limits: { maxBufferSize: found.limits.maxBufferSize, maxStorageBufferBindingSize: found.limits.maxStorageBufferBindingSize, maxComputeWorkgroupStorageSize: found.limits.maxComputeWorkgroupStorageSize },
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('webgpu') as WebGpuModule;
  return { adapter, gpu: mod.create([]), globals: mod.globals };
}

/** Runs in a child process: prints the adapter's info and limits as JSON, or null. */
const PROBE = `
const { create } = require(process.argv[1]);
create([]).requestAdapter({ powerPreference: 'high-performance' }).then((a) => {
  if (!a) { console.log('null'); process.exit(0); }
  const i = a.info || {};
  console.log(JSON.stringify({ info: { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description }, isFallbackAdapter: a.isFallbackAdapter,
    limits: { maxBufferSize: a.limits.maxBufferSize, maxStorageBufferBindingSize: a.limits.maxStorageBufferBindingSize, maxComputeWorkgroupStorageSize: a.limits.maxComputeWorkgroupStorageSize } }));
  process.exit(0);
}, () => { console.log('null'); process.exit(0); });
`;

/** Makes `navigator.gpu` and the WebGPU globals visible, then registers tfjs's webgpu backend. */
export function installWebGpu(gpu: unknown, globals: Record<string, unknown>): void {
  Object.assign(globalThis, globals);
  const nav = (globalThis as { navigator?: Record<string, unknown> }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@tensorflow/tfjs-backend-webgpu');
}
