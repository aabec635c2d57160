/*
 * SoftTally: a software-only UMDF 2 driver (a root-enumerated device with no hardware). It keeps a
 * counter that a periodic timer advances; a read returns the current count as a ULONG, and a
 * write of a ULONG sets it. A work item writes the count to the device's registry key when it is
 * set, away from the timer. Written as a KMDF Assist example: every callback is declared with its
 * role type.
 */
#pragma once

#include <windows.h>
#include <wdf.h>
#include <initguid.h>

// {B7E2C914-3A6F-4D05-8C71-E49A0D2F6B38}
DEFINE_GUID(GUID_DEVINTERFACE_SOFTTALLY, 0xb7e2c914, 0x3a6f, 0x4d05, 0x8c, 0x71, 0xe4, 0x9a, 0x0d, 0x2f, 0x6b, 0x38);

/* The counter advances once per period while the device is in D0. */
#define SOFTTALLY_TICK_MS 1000

typedef struct _SOFTTALLY_DEVICE_CONTEXT {
    WDFSPINLOCK CountLock;      /* guards Count */
    ULONG Count;
    WDFTIMER TickTimer;         /* periodic, started in D0Entry and stopped in D0Exit */
    WDFWORKITEM SaveWorkItem;   /* writes Count to the registry */
} SOFTTALLY_DEVICE_CONTEXT, *PSOFTTALLY_DEVICE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(SOFTTALLY_DEVICE_CONTEXT, SoftTallyGetDeviceContext)

DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD SoftTallyEvtDeviceAdd;
EVT_WDF_DEVICE_D0_ENTRY SoftTallyEvtDeviceD0Entry;
EVT_WDF_DEVICE_D0_EXIT SoftTallyEvtDeviceD0Exit;
EVT_WDF_TIMER SoftTallyEvtTickTimer;
EVT_WDF_WORKITEM SoftTallyEvtSaveWorkItem;
EVT_WDF_IO_QUEUE_IO_READ SoftTallyEvtIoRead;
EVT_WDF_IO_QUEUE_IO_WRITE SoftTallyEvtIoWrite;
