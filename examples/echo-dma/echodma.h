/*
 * EchoDma: a small KMDF driver for an imaginary device that moves data through a system-mode
 * (shared controller) DMA channel. Written as the KMDF Assist example: every callback is declared
 * with its role type and defined with _Use_decl_annotations_, so tools can check it against the
 * documented contracts.
 *
 * The device has one register block (first memory resource) and one DMA request line (the DMA
 * resource). Reads take data from the device, writes send data to it; one transfer at a time.
 */
#pragma once

#include <ntddk.h>
#include <wdf.h>
#include <initguid.h>

// {5A6B8E31-7C2D-4F0E-9B1A-3D4C5E6F7081}
DEFINE_GUID(GUID_DEVINTERFACE_ECHODMA, 0x5a6b8e31, 0x7c2d, 0x4f0e, 0x9b, 0x1a, 0x3d, 0x4c, 0x5e, 0x6f, 0x70, 0x81);

/* Largest single transfer the controller accepts; longer requests become several transfers. */
#define ECHODMA_MAX_TRANSFER_LENGTH (64 * 1024)
/* A transfer that has not finished after this long is stopped and its request fails. */
#define ECHODMA_TRANSFER_TIMEOUT_MS 2000
/* Period of the status poll that runs as self-managed I/O while the device is in D0. */
#define ECHODMA_STATUS_POLL_MS 500

/* Register block of the device (offsets 0x00..0x0C). */
typedef struct _ECHODMA_REGISTERS {
    ULONG Control;      /* write ECHODMA_CONTROL_* */
    ULONG Status;       /* ECHODMA_STATUS_* bits */
    ULONG Length;       /* bytes in the transfer being started */
    ULONG Data;         /* the port the system DMA controller reads or writes */
} ECHODMA_REGISTERS, *PECHODMA_REGISTERS;

#define ECHODMA_CONTROL_IDLE            0x0
#define ECHODMA_CONTROL_SEND_TO_HOST    0x1     /* device → memory (a read request) */
#define ECHODMA_CONTROL_RECEIVE_FROM_HOST 0x2   /* memory → device (a write request) */
#define ECHODMA_CONTROL_ABORT           0x4
#define ECHODMA_CONTROL_DMA_REQUESTS_ON 0x8     /* device may raise its DMA request line */

#define ECHODMA_STATUS_FAULT            0x1

typedef struct _ECHODMA_DEVICE_CONTEXT {
    WDFDEVICE Device;
    PECHODMA_REGISTERS Registers;           /* mapped in EvtDevicePrepareHardware */
    SIZE_T RegistersLength;
    WDFDMAENABLER DmaEnabler;               /* created in EvtDevicePrepareHardware */
    WDFDMATRANSACTION Transaction;          /* reused for every request */
    WDFTIMER TransferTimer;                 /* one-shot: stops a transfer that takes too long */
    WDFTIMER StatusPollTimer;               /* periodic: self-managed I/O */
    ULONG LastStatus;

    /* Transfer state, guarded by TransferLock. */
    WDFSPINLOCK TransferLock;
    WDFREQUEST CurrentRequest;              /* request whose transfer is in flight, or NULL */
    ULONGLONG TransferDeadline;             /* interrupt time after which the transfer times out */
    BOOLEAN TransferFinished;               /* the transaction is over; nobody may stop it now */
    BOOLEAN StopRequested;                  /* a timeout, cancel or queue stop asked to stop it */
    NTSTATUS StopStatus;                    /* why: STATUS_IO_TIMEOUT or STATUS_CANCELLED */
    BOOLEAN CancelRoutineRan;               /* EchoDmaEvtRequestCancel ran for CurrentRequest */
    BOOLEAN CompletionHandedToCancel;       /* the cancel routine completes CurrentRequest */
    NTSTATUS FinalStatus;                   /* result kept for the cancel routine */
    size_t FinalLength;
} ECHODMA_DEVICE_CONTEXT, *PECHODMA_DEVICE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(ECHODMA_DEVICE_CONTEXT, EchoDmaGetDeviceContext)

/* Context of the DMA enabler: its callbacks receive only the enabler handle. */
typedef struct _ECHODMA_ENABLER_CONTEXT {
    PECHODMA_DEVICE_CONTEXT DeviceContext;
} ECHODMA_ENABLER_CONTEXT, *PECHODMA_ENABLER_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(ECHODMA_ENABLER_CONTEXT, EchoDmaGetEnablerContext)

/* driver.c */
DRIVER_INITIALIZE DriverEntry;
EVT_WDF_DRIVER_DEVICE_ADD EchoDmaEvtDeviceAdd;

/* device.c */
EVT_WDF_DEVICE_PREPARE_HARDWARE EchoDmaEvtDevicePrepareHardware;
EVT_WDF_DEVICE_RELEASE_HARDWARE EchoDmaEvtDeviceReleaseHardware;
EVT_WDF_DEVICE_D0_ENTRY EchoDmaEvtDeviceD0Entry;
EVT_WDF_DEVICE_D0_EXIT EchoDmaEvtDeviceD0Exit;
EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT EchoDmaEvtDeviceSelfManagedIoInit;
EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND EchoDmaEvtDeviceSelfManagedIoSuspend;
EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART EchoDmaEvtDeviceSelfManagedIoRestart;
EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP EchoDmaEvtDeviceSelfManagedIoCleanup;
EVT_WDF_TIMER EchoDmaEvtStatusPollTimer;

/* queue.c */
EVT_WDF_IO_QUEUE_IO_READ EchoDmaEvtIoRead;
EVT_WDF_IO_QUEUE_IO_WRITE EchoDmaEvtIoWrite;
EVT_WDF_IO_QUEUE_IO_STOP EchoDmaEvtIoStop;

/* dma.c */
EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_START EchoDmaEvtDmaEnablerSelfManagedIoStart;
EVT_WDF_DMA_ENABLER_SELFMANAGED_IO_STOP EchoDmaEvtDmaEnablerSelfManagedIoStop;
EVT_WDF_PROGRAM_DMA EchoDmaEvtProgramDma;
EVT_WDF_DMA_TRANSACTION_DMA_TRANSFER_COMPLETE EchoDmaEvtDmaTransferComplete;
EVT_WDF_TIMER EchoDmaEvtTransferTimer;
EVT_WDF_REQUEST_CANCEL EchoDmaEvtRequestCancel;

/* Helpers. */
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EchoDmaQueueInitialize(
    _In_ WDFDEVICE Device
    );

_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS
EchoDmaCreateDmaObjects(
    _In_ PECHODMA_DEVICE_CONTEXT DeviceContext,
    _In_ PHYSICAL_ADDRESS DataPort,
    _In_ PCM_PARTIAL_RESOURCE_DESCRIPTOR DmaDescriptor
    );

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
EchoDmaStartTransfer(
    _In_ PECHODMA_DEVICE_CONTEXT DeviceContext,
    _In_ WDFREQUEST Request,
    _In_ WDF_DMA_DIRECTION Direction
    );

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
EchoDmaFinishRequest(
    _In_ PECHODMA_DEVICE_CONTEXT DeviceContext,
    _In_ NTSTATUS Status,
    _In_ size_t Length
    );

_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
EchoDmaRequestStop(
    _In_ PECHODMA_DEVICE_CONTEXT DeviceContext,
    _In_opt_ WDFREQUEST Request,
    _In_ NTSTATUS Reason
    );
