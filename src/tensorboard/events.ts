// TensorBoard Event messages: the file's version record, scalars (a float64 tensor with the
// scalars plugin's metadata, so values are exact, as tf.summary.scalar writes float64 input),
// text (the text plugin: a string tensor) and the hparams plugin's session records.
import { DATA_CLASS, DT, EventType, HParamsPluginDataType, HPARAM_TYPE, SESSION_STATUS } from './proto';

const encode = (event: Record<string, unknown>): Uint8Array => EventType.encode(EventType.fromObject(event)).finish();
const scalarShape = { dim: [] };

export const fileVersionEvent = (wallTime: number): Uint8Array => encode({ wallTime, step: 0, fileVersion: 'brain.Event:2' });

export function scalarEvent(wallTime: number, step: number, tag: string, value: number): Uint8Array {
  return encode({
    wallTime, step,
    summary: { value: [{ tag, metadata: { pluginData: { pluginName: 'scalars' }, dataClass: DATA_CLASS.SCALAR }, tensor: { dtype: DT.DOUBLE, tensorShape: scalarShape, doubleVal: [value] } }] },
  });
}

export function textEvent(wallTime: number, step: number, tag: string, text: string): Uint8Array {
  return encode({
    wallTime, step,
    summary: { value: [{ tag, metadata: { pluginData: { pluginName: 'text' }, dataClass: DATA_CLASS.TENSOR }, tensor: { dtype: DT.STRING, tensorShape: scalarShape, stringVal: [Buffer.from(text, 'utf8')] } }] },
  });
}

export type HParamValue = number | string | boolean;

function hparamsEvent(wallTime: number, tag: string, data: Record<string, unknown>): Uint8Array {
  const content = HParamsPluginDataType.encode(HParamsPluginDataType.fromObject({ version: 0, ...data })).finish();
  return encode({
    wallTime, step: 0,
    // The hparams plugin reads the metadata alone; the empty tensor is what its summary_v2 writes.
    summary: { value: [{ tag, metadata: { pluginData: { pluginName: 'hparams', content }, dataClass: DATA_CLASS.TENSOR }, tensor: { dtype: DT.FLOAT, tensorShape: { dim: [{ size: 0 }] } } }] },
  });
}

const pbValue = (v: HParamValue) => (typeof v === 'number' ? { numberValue: v } : typeof v === 'boolean' ? { boolValue: v } : { stringValue: v });

/** The start of a session (one run): its hyper-parameters by name. */
export const sessionStartEvent = (wallTime: number, hparams: Record<string, HParamValue>, group: string): Uint8Array =>
  hparamsEvent(wallTime, '_hparams_/session_start_info', { sessionStartInfo: { hparams: Object.fromEntries(Object.entries(hparams).map(([k, v]) => [k, pbValue(v)])), groupName: group, startTimeSecs: wallTime } });

export const sessionEndEvent = (wallTime: number, ok: boolean): Uint8Array =>
  hparamsEvent(wallTime, '_hparams_/session_end_info', { sessionEndInfo: { status: ok ? SESSION_STATUS.SUCCESS : SESSION_STATUS.FAILURE, endTimeSecs: wallTime } });

/** The experiment: which hyper-parameters and which metric tags the HParams tab shows. */
export function experimentEvent(wallTime: number, name: string, hparams: Record<string, HParamValue>, metricTags: string[]): Uint8Array {
  const type = (v: HParamValue) => (typeof v === 'number' ? HPARAM_TYPE.FLOAT64 : typeof v === 'boolean' ? HPARAM_TYPE.BOOL : HPARAM_TYPE.STRING);
  return hparamsEvent(wallTime, '_hparams_/experiment', {
    experiment: {
      name, timeCreatedSecs: wallTime,
      hparamInfos: Object.entries(hparams).map(([k, v]) => ({ name: k, type: type(v) })),
      metricInfos: metricTags.map((tag) => ({ name: { tag }, displayName: tag })),
    },
  });
}
