import { deserialize, serialize, type Document } from 'bson';

/**
 * MongoDB wire-protocol framing: just OP_MSG (every command since MongoDB 3.6) and the legacy
 * OP_QUERY/OP_REPLY pair that drivers still use for the very first `isMaster` of a connection.
 * Spec: https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/
 */
const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

const HEADER = 16;
const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;

export interface Request {
  requestId: number;
  opCode: typeof OP_MSG | typeof OP_QUERY;
  /** The command, with OP_MSG document sequences (kind 1) merged in as arrays. */
  command: Document;
  /** The client wants no answer (OP_MSG moreToCome). */
  moreToCome: boolean;
}

/** Splits complete messages off the front of `buffer`; returns them and the unread rest. */
export function takeMessages(buffer: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let offset = 0;
  while (buffer.length - offset >= 4) {
    const length = buffer.readInt32LE(offset);
    if (length < HEADER || length > 48_000_000) throw new Error(`Bad message length ${length}`);
    if (buffer.length - offset < length) break;
    messages.push(buffer.subarray(offset, offset + length));
    offset += length;
  }
  return { messages, rest: buffer.subarray(offset) };
}

const readCString = (buf: Buffer, at: number): [string, number] => {
  const end = buf.indexOf(0, at);
  if (end < 0) throw new Error('Unterminated cstring');
  return [buf.toString('utf8', at, end), end + 1];
};

const readDocument = (buf: Buffer, at: number): [Document, number] => {
  const size = buf.readInt32LE(at);
  return [deserialize(buf.subarray(at, at + size)), at + size];
};

export function parseRequest(message: Buffer): Request {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OP_MSG) return parseOpMsg(message, requestId);
  if (opCode === OP_QUERY) return parseOpQuery(message, requestId);
  throw new Error(`Unsupported opCode ${opCode}`);
}

function parseOpMsg(message: Buffer, requestId: number): Request {
  const flags = message.readUInt32LE(HEADER);
  const end = message.length - (flags & CHECKSUM_PRESENT ? 4 : 0);
  let at = HEADER + 4;
  let command: Document | null = null;
  const sequences: Record<string, Document[]> = {};
  while (at < end) {
    const kind = message.readUInt8(at);
    at += 1;
    if (kind === 0) {
      [command, at] = readDocument(message, at);
    } else if (kind === 1) {
      const sectionEnd = at + message.readInt32LE(at);
      let [identifier, cursor] = readCString(message, at + 4);
      const docs: Document[] = [];
      while (cursor < sectionEnd) {
        let doc: Document;
        [doc, cursor] = readDocument(message, cursor);
        docs.push(doc);
      }
      sequences[identifier] = docs;
      at = sectionEnd;
    } else {
      throw new Error(`Unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!command) throw new Error('OP_MSG without a body section');
  return { requestId, opCode: OP_MSG, command: { ...command, ...sequences }, moreToCome: (flags & MORE_TO_COME) !== 0 };
}

function parseOpQuery(message: Buffer, requestId: number): Request {
  const [collection, at] = readCString(message, HEADER + 4);
  if (!collection.endsWith('.$cmd')) throw new Error(`OP_QUERY is only answered for commands, not ${collection}`);
  let [query] = readDocument(message, at + 8); // skip numberToSkip, numberToReturn
  if (query.$query && typeof query.$query === 'object') query = query.$query as Document;
  return { requestId, opCode: OP_QUERY, command: { ...query, $db: collection.slice(0, -'.$cmd'.length) }, moreToCome: false };
}

const header = (length: number, requestId: number, responseTo: number, opCode: number): Buffer => {
  const buf = Buffer.alloc(HEADER);
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(requestId, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
  return buf;
};

/** The answer to `request` in the same protocol it came in. */
export function encodeReply(request: Request, reply: Document, requestId: number): Buffer {
  const body = Buffer.from(serialize(reply));
  if (request.opCode === OP_MSG) {
    const prefix = Buffer.alloc(5); // flagBits 0, section kind 0
    return Buffer.concat([header(HEADER + 5 + body.length, requestId, request.requestId, OP_MSG), prefix, body]);
  }
  const fields = Buffer.alloc(20); // responseFlags 0, cursorID 0 (int64), startingFrom 0, numberReturned
  fields.writeInt32LE(1, 16);
  return Buffer.concat([header(HEADER + 20 + body.length, requestId, request.requestId, OP_REPLY), fields, body]);
}
