// The protocol buffers TensorBoard reads, as protobufjs types: Event and Summary
// (tensorflow/core/util/event.proto, framework/summary.proto, tensor.proto, tensor_shape.proto),
// the hparams plugin's HParamsPluginData (tensorboard/plugins/hparams/plugin_data.proto, api.proto)
// and google.protobuf.Value (struct.proto). Only the fields dmil writes are declared; the field
// numbers are those of the .proto files.
import * as protobuf from 'protobufjs';

const schema = {
  nested: {
    tb: {
      nested: {
        Event: {
          oneofs: { what: { oneof: ['fileVersion', 'summary'] } },
          fields: { wallTime: { type: 'double', id: 1 }, step: { type: 'int64', id: 2 }, fileVersion: { type: 'string', id: 3 }, summary: { type: 'Summary', id: 5 } },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              oneofs: { value: { oneof: ['simpleValue', 'tensor'] } },
              fields: { tag: { type: 'string', id: 1 }, simpleValue: { type: 'float', id: 2 }, tensor: { type: 'TensorProto', id: 8 }, metadata: { type: 'SummaryMetadata', id: 9 } },
            },
          },
        },
        SummaryMetadata: {
          fields: { pluginData: { type: 'PluginData', id: 1 }, displayName: { type: 'string', id: 2 }, summaryDescription: { type: 'string', id: 3 }, dataClass: { type: 'int32', id: 4 } },
          nested: { PluginData: { fields: { pluginName: { type: 'string', id: 1 }, content: { type: 'bytes', id: 2 } } } },
        },
        TensorProto: {
          fields: {
            dtype: { type: 'int32', id: 1 }, tensorShape: { type: 'TensorShapeProto', id: 2 },
            doubleVal: { rule: 'repeated', type: 'double', id: 6, options: { packed: true } }, stringVal: { rule: 'repeated', type: 'bytes', id: 8 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dim', id: 2 } },
          nested: { Dim: { fields: { size: { type: 'int64', id: 1 } } } },
        },
        HParamsPluginData: {
          oneofs: { data: { oneof: ['experiment', 'sessionStartInfo', 'sessionEndInfo'] } },
          fields: { version: { type: 'int32', id: 1 }, experiment: { type: 'Experiment', id: 2 }, sessionStartInfo: { type: 'SessionStartInfo', id: 3 }, sessionEndInfo: { type: 'SessionEndInfo', id: 4 } },
        },
        Experiment: {
          fields: { description: { type: 'string', id: 1 }, timeCreatedSecs: { type: 'double', id: 3 }, hparamInfos: { rule: 'repeated', type: 'HParamInfo', id: 4 }, metricInfos: { rule: 'repeated', type: 'MetricInfo', id: 5 }, name: { type: 'string', id: 6 } },
        },
        HParamInfo: { fields: { name: { type: 'string', id: 1 }, type: { type: 'int32', id: 4 } } },
        MetricInfo: { fields: { name: { type: 'MetricName', id: 1 }, displayName: { type: 'string', id: 3 } } },
        MetricName: { fields: { group: { type: 'string', id: 1 }, tag: { type: 'string', id: 2 } } },
        SessionStartInfo: {
          fields: { hparams: { keyType: 'string', type: 'PbValue', id: 1 }, groupName: { type: 'string', id: 4 }, startTimeSecs: { type: 'double', id: 5 } },
        },
        SessionEndInfo: { fields: { status: { type: 'int32', id: 1 }, endTimeSecs: { type: 'double', id: 2 } } },
        PbValue: {
          oneofs: { kind: { oneof: ['numberValue', 'stringValue', 'boolValue'] } },
          fields: { numberValue: { type: 'double', id: 2 }, stringValue: { type: 'string', id: 3 }, boolValue: { type: 'bool', id: 4 } },
        },
      },
    },
  },
};
// The map field (SessionStartInfo.hparams) is an IMapField, which the JSON type does not name.
const root = protobuf.Root.fromJSON(schema as protobuf.INamespace);

export const EventType = root.lookupType('tb.Event');
export const HParamsPluginDataType = root.lookupType('tb.HParamsPluginData');

/** tensorflow.DataType values dmil writes. */
export const DT = { FLOAT: 1, DOUBLE: 2, STRING: 7 } as const;
/** SummaryMetadata.DataClass: a scalar, or a tensor of anything else. */
export const DATA_CLASS = { SCALAR: 1, TENSOR: 2 } as const;
/** hparams api.proto enums. */
export const HPARAM_TYPE = { STRING: 1, BOOL: 2, FLOAT64: 3 } as const;
export const SESSION_STATUS = { SUCCESS: 1, FAILURE: 2, RUNNING: 3 } as const;
