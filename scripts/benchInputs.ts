/**
 * Deterministic KMDF-style inputs for `npm run bench`: single files of a given length and a tree of
 * driver projects. The same seed gives byte-identical output, so two runs (or two machines) measure
 * the same text. The code is written in the style of real drivers: role-type declarations, a queue
 * set up with config structures, request handlers with switch statements over IOCTLs, paged
 * functions under `#pragma alloc_text`, `#if DBG` blocks, SAL on helpers, and comments.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** mulberry32: small, fast and good enough to vary generated code. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const between = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

const WORDS = ['Transfer', 'Buffer', 'Channel', 'Port', 'Ring', 'Frame', 'Packet', 'Slot', 'Window', 'Block'];
const STATUS = ['STATUS_SUCCESS', 'STATUS_INVALID_PARAMETER', 'STATUS_BUFFER_TOO_SMALL', 'STATUS_DEVICE_NOT_READY'];

/** The shared header of one driver project: context, IOCTLs, prototypes and role-type declarations. */
export function generateHeader(prefix: string, callbacks: string[]): string {
  const upper = prefix.toUpperCase();
  const out: string[] = [
    `/*`,
    ` * ${prefix}: shared declarations of the driver (generated for the KMDF Assist benchmark).`,
    ` */`,
    `#pragma once`,
    ``,
    `#include <ntddk.h>`,
    `#include <wdf.h>`,
    ``,
    `#define ${upper}_POOL_TAG '${prefix.slice(0, 4).padEnd(4, 'x')}'`,
    `#define IOCTL_${upper}_GET_STATE CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_ANY_ACCESS)`,
    `#define IOCTL_${upper}_SET_STATE CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)`,
    `#define IOCTL_${upper}_RESET CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_BUFFERED, FILE_ANY_ACCESS)`,
    ``,
    `typedef struct _${upper}_DEVICE_CONTEXT {`,
    `    WDFDEVICE Device;`,
    `    WDFQUEUE DefaultQueue;`,
    `    WDFSPINLOCK StateLock;    /* guards State and Pending */`,
    `    ULONG State;`,
    `    ULONG Pending;`,
    `    WDFTIMER PollTimer;`,
    `} ${upper}_DEVICE_CONTEXT, *P${upper}_DEVICE_CONTEXT;`,
    ``,
    `WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(${upper}_DEVICE_CONTEXT, ${prefix}GetDeviceContext)`,
    ``,
    `DRIVER_INITIALIZE DriverEntry;`,
    `EVT_WDF_DRIVER_DEVICE_ADD ${prefix}EvtDeviceAdd;`,
  ];
  for (const cb of callbacks) out.push(cb);
  out.push(
    '',
    `_IRQL_requires_max_(DISPATCH_LEVEL)`,
    `VOID`,
    `${prefix}Trace(_In_ PCSTR Message, _In_ ULONG Value);`,
    '',
  );
  return out.join('\n') + '\n';
}

interface FileParts {
  lines: string[];
  decls: string[];
}

/**
 * One source file of about `targetLines` lines: a queue set-up function registering request handlers,
 * then handlers and helpers until the length is reached. `fileIndex` keeps names unique in a project.
 */
export function generateSource(rng: Rng, prefix: string, fileIndex: number, targetLines: number): FileParts {
  const upper = prefix.toUpperCase();
  const lines: string[] = [];
  const decls: string[] = [];
  const paged: string[] = [];
  const body: string[] = [];
  const handlers: { field: string; name: string }[] = [];
  let n = 0;
  const tag = `${fileIndex}_`;
  const emit = (...ls: string[]) => body.push(...ls);
  const header = [
    `/*`,
    ` * ${prefix} part ${fileIndex}: request handlers and helpers.`,
    ` */`,
    `#include "${prefix.toLowerCase()}.h"`,
    ``,
  ];
  const queueInit = `${prefix}QueueInitialize${fileIndex}`;
  paged.push(queueInit);
  // Reserve the lines of the alloc_text block and the queue function, written last.
  const reserved = header.length + 30;
  while (body.length + reserved < targetLines) {
    n++;
    const kind = rng();
    const word = pick(rng, WORDS);
    if (kind < 0.25) {
      const name = `${prefix}EvtIoDeviceControl${tag}${n}`;
      decls.push(`EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL ${name};`);
      handlers.push({ field: 'EvtIoDeviceControl', name });
      const cases = between(rng, 2, 5);
      emit(
        ``,
        `_Use_decl_annotations_`,
        `VOID`,
        `${name}(`,
        `    WDFQUEUE Queue,`,
        `    WDFREQUEST Request,`,
        `    size_t OutputBufferLength,`,
        `    size_t InputBufferLength,`,
        `    ULONG IoControlCode`,
        `    )`,
        `{`,
        `    NTSTATUS status = STATUS_SUCCESS;`,
        `    PVOID buffer = NULL;`,
        `    size_t length = 0;`,
        `    P${upper}_DEVICE_CONTEXT context = ${prefix}GetDeviceContext(WdfIoQueueGetDevice(Queue));`,
        ``,
        `    UNREFERENCED_PARAMETER(OutputBufferLength);`,
        `    switch (IoControlCode) {`,
      );
      for (let c = 0; c < cases; c++) {
        emit(
          `    case IOCTL_${upper}_${pick(rng, ['GET_STATE', 'SET_STATE', 'RESET'])} + ${c}:`,
          `        if (InputBufferLength < sizeof(ULONG)) {`,
          `            status = STATUS_BUFFER_TOO_SMALL;`,
          `            break;`,
          `        }`,
          `        status = WdfRequestRetrieveInputBuffer(Request, sizeof(ULONG), &buffer, &length);`,
          `        if (NT_SUCCESS(status)) {`,
          `            WdfSpinLockAcquire(context->StateLock);`,
          `            context->State = *(PULONG)buffer + ${c};`,
          `            WdfSpinLockRelease(context->StateLock);`,
          `        }`,
          `        break;`,
        );
      }
      emit(
        `    default:`,
        `        status = STATUS_INVALID_DEVICE_REQUEST;`,
        `        break;`,
        `    }`,
        `    WdfRequestCompleteWithInformation(Request, status, length);`,
        `}`,
      );
    } else if (kind < 0.4) {
      const field = pick(rng, ['EvtIoRead', 'EvtIoWrite'] as const);
      const role = field === 'EvtIoRead' ? 'EVT_WDF_IO_QUEUE_IO_READ' : 'EVT_WDF_IO_QUEUE_IO_WRITE';
      const name = `${prefix}${field}${tag}${n}`;
      decls.push(`${role} ${name};`);
      handlers.push({ field, name });
      emit(
        ``,
        `_Use_decl_annotations_`,
        `VOID`,
        `${name}(`,
        `    WDFQUEUE Queue,`,
        `    WDFREQUEST Request,`,
        `    size_t Length`,
        `    )`,
        `{`,
        `    P${upper}_DEVICE_CONTEXT context = ${prefix}GetDeviceContext(WdfIoQueueGetDevice(Queue));`,
        ``,
        `    if (Length == 0) {`,
        `        WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, 0);`,
        `        return;`,
        `    }`,
        `#if DBG`,
        `    ${prefix}Trace("${field} length", (ULONG)Length);`,
        `#endif`,
        `    WdfSpinLockAcquire(context->StateLock);`,
        `    context->Pending++;`,
        `    WdfSpinLockRelease(context->StateLock);`,
        `    WdfRequestComplete(Request, ${pick(rng, STATUS)});`,
        `}`,
      );
    } else if (kind < 0.55) {
      const name = `${prefix}Prepare${word}${tag}${n}`;
      paged.push(name);
      emit(
        ``,
        `_IRQL_requires_(PASSIVE_LEVEL)`,
        `NTSTATUS`,
        `${name}(`,
        `    _In_ WDFDEVICE Device,`,
        `    _In_ ULONG Count`,
        `    )`,
        `{`,
        `    NTSTATUS status;`,
        `    WDF_OBJECT_ATTRIBUTES attributes;`,
        `    WDFMEMORY memory;`,
        ``,
        `    PAGED_CODE();`,
        ``,
        `    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);`,
        `    attributes.ParentObject = Device;`,
        `    status = WdfMemoryCreate(&attributes, NonPagedPoolNx, ${upper}_POOL_TAG, Count * sizeof(ULONG), &memory, NULL);`,
        `    if (!NT_SUCCESS(status)) {`,
        `        return status;`,
        `    }`,
        `    for (ULONG i = 0; i < Count; i++) {`,
        `        ((PULONG)WdfMemoryGetBuffer(memory, NULL))[i] = i * ${between(rng, 2, 9)};`,
        `    }`,
        `    return STATUS_SUCCESS;`,
        `}`,
      );
    } else {
      const name = `${prefix}Update${word}${tag}${n}`;
      emit(
        ``,
        `/* Folds a new ${word.toLowerCase()} value into the device state; callers hold no lock. */`,
        `_IRQL_requires_max_(DISPATCH_LEVEL)`,
        `static ULONG`,
        `${name}(`,
        `    _In_ P${upper}_DEVICE_CONTEXT Context,`,
        `    _In_ ULONG Value`,
        `    )`,
        `{`,
        `    ULONG result = 0;`,
        ``,
        `    WdfSpinLockAcquire(Context->StateLock);`,
        `    if (Value > ${between(rng, 8, 4096)}) {`,
        `        result = Context->State ^ Value;`,
        `    } else if (Value == 0) {`,
        `        result = Context->Pending;`,
        `    } else {`,
        `        while (Value-- > 0) {`,
        `            result += Value % ${between(rng, 3, 17)};`,
        `        }`,
        `    }`,
        `    Context->State = result;`,
        `    WdfSpinLockRelease(Context->StateLock);`,
        `    return result;`,
        `}`,
      );
    }
  }
  lines.push(...header, `#ifdef ALLOC_PRAGMA`);
  for (const p of paged) lines.push(`#pragma alloc_text(PAGE, ${p})`);
  lines.push(`#endif`, ``);
  lines.push(
    `_IRQL_requires_(PASSIVE_LEVEL)`,
    `NTSTATUS`,
    `${queueInit}(`,
    `    _In_ WDFDEVICE Device`,
    `    )`,
    `{`,
    `    WDF_IO_QUEUE_CONFIG queueConfig;`,
    `    WDFQUEUE queue;`,
    `    NTSTATUS status;`,
    ``,
    `    PAGED_CODE();`,
    ``,
  );
  // One queue per handler group of three, so each field is registered once per queue.
  for (let i = 0; i < handlers.length; i += 3) {
    lines.push(`    WDF_IO_QUEUE_CONFIG_INIT(&queueConfig, WdfIoQueueDispatchSequential);`);
    const seen = new Set<string>();
    for (const h of handlers.slice(i, i + 3)) {
      if (seen.has(h.field)) continue;
      seen.add(h.field);
      lines.push(`    queueConfig.${h.field} = ${h.name};`);
    }
    lines.push(
      `    status = WdfIoQueueCreate(Device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &queue);`,
      `    if (!NT_SUCCESS(status)) {`,
      `        return status;`,
      `    }`,
    );
  }
  lines.push(`    return STATUS_SUCCESS;`, `}`, ...body);
  decls.push(`NTSTATUS ${queueInit}(_In_ WDFDEVICE Device);`);
  return { lines, decls };
}

/** A single file of about `targetLines` lines (with its header's declarations inlined at the top). */
export function generateFile(seed: number, targetLines: number, prefix = 'Bench'): string {
  const rng = seededRandom(seed);
  const source = generateSource(rng, prefix, 0, targetLines);
  const header = generateHeader(prefix, source.decls).replace(`#pragma once\n`, '');
  const text = source.lines.join('\n').replace(`#include "${prefix.toLowerCase()}.h"\n`, header);
  return text + '\n';
}

export interface GeneratedTree {
  root: string;
  files: number;
  bytes: number;
  lines: number;
}

/**
 * A tree of driver projects (a `.vcxproj`, one header and sources each) holding `fileCount` files.
 * Source lengths vary from 60 to 900 lines, like the files of real driver trees.
 */
export function generateTree(root: string, seed: number, fileCount: number): GeneratedTree {
  const rng = seededRandom(seed);
  fs.rmSync(root, { recursive: true, force: true });
  let files = 0;
  let bytes = 0;
  let lines = 0;
  const write = (file: string, text: string) => {
    fs.writeFileSync(file, text);
    files++;
    bytes += Buffer.byteLength(text);
    lines += text.split('\n').length - 1;
  };
  for (let p = 0; files < fileCount; p++) {
    const prefix = `Drv${String.fromCharCode(65 + (p % 26))}${Math.floor(p / 26)}`;
    const dir = path.join(root, `driver${p}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${prefix.toLowerCase()}.vcxproj`), vcxproj(prefix));
    const sources = Math.min(between(rng, 10, 30), fileCount - files - 1);
    const decls: string[] = [];
    for (let i = 0; i < sources; i++) {
      const length = rng() < 0.1 ? between(rng, 900, 2500) : between(rng, 60, 600);
      const source = generateSource(rng, prefix, i, length);
      decls.push(...source.decls);
      write(path.join(dir, `part${i}.c`), source.lines.join('\n') + '\n');
    }
    write(path.join(dir, `${prefix.toLowerCase()}.h`), generateHeader(prefix, decls));
  }
  return { root, files, bytes, lines };
}

function vcxproj(prefix: string): string {
  return [
    `<?xml version="1.0" encoding="utf-8"?>`,
    `<Project DefaultTargets="Build" ToolsVersion="12.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">`,
    `  <PropertyGroup Label="Globals">`,
    `    <RootNamespace>${prefix}</RootNamespace>`,
    `  </PropertyGroup>`,
    `  <PropertyGroup Label="Configuration">`,
    `    <ConfigurationType>Driver</ConfigurationType>`,
    `    <DriverType>KMDF</DriverType>`,
    `    <KMDF_VERSION_MAJOR>1</KMDF_VERSION_MAJOR>`,
    `    <KMDF_VERSION_MINOR>33</KMDF_VERSION_MINOR>`,
    `  </PropertyGroup>`,
    `</Project>`,
    ``,
  ].join('\n');
}
