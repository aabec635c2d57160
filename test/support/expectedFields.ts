/**
 * Completion after `queueConfig.` on the Lamp driver, as the in-process and the protocol tests both
 * expect it: every field of WDF_IO_QUEUE_CONFIG, the eight that take callbacks first with their role
 * types, then the rest in the structure's order.
 */
export const QUEUE_CONFIG_FIELDS: ReadonlyArray<readonly [label: string, detail: string]> = [
  ['EvtIoDefault', 'EVT_WDF_IO_QUEUE_IO_DEFAULT'],
  ['EvtIoRead', 'EVT_WDF_IO_QUEUE_IO_READ'],
  ['EvtIoWrite', 'EVT_WDF_IO_QUEUE_IO_WRITE'],
  ['EvtIoDeviceControl', 'EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL'],
  ['EvtIoInternalDeviceControl', 'EVT_WDF_IO_QUEUE_IO_INTERNAL_DEVICE_CONTROL'],
  ['EvtIoStop', 'EVT_WDF_IO_QUEUE_IO_STOP'],
  ['EvtIoResume', 'EVT_WDF_IO_QUEUE_IO_RESUME'],
  ['EvtIoCanceledOnQueue', 'EVT_WDF_IO_QUEUE_IO_CANCELED_ON_QUEUE'],
  ['Size', ''],
  ['DispatchType', ''],
  ['PowerManaged', ''],
  ['AllowZeroLengthRequests', ''],
  ['DefaultQueue', ''],
  ['Settings', ''],
  ['Driver', ''],
];
