/**
 * POST /api/decode   {hex}   the frame's layers as the wire layer decodes them (src/wire/decode.ts):
 *                            {summary, layers: [{name, offset, length, fields: [{name, value, offset?, length?}]}], malformed?}
 * `hex` is any form `fromHex` reads (a hex stream, spaced bytes, a hex dump with offsets). Bytes
 * that are not a valid frame still decode as far as they go (`malformed` says where it stopped);
 * text that is not hex, or longer than the largest frame, is a 400 with the wire layer's message.
 * Pure: no lab is involved, nothing changes.
 */
import { Router } from 'express';
import { z } from 'zod';
import { decodeFrame } from '../../wire/decode.js';
import { fromHex } from '../../wire/hex.js';
import type { DecodedFrame } from '../api-types.js';
import { parseBody } from '../errors.js';

const DecodeBody = z.object({ hex: z.string() }).strict();

export function decodeRoutes(): Router {
  const r = Router();
  r.post('/decode', (req, res) => {
    const body = parseBody(DecodeBody, req.body);
    const out: DecodedFrame = decodeFrame(fromHex(body.hex)); // FrameInputError -> 400 (errors.ts)
    res.json(out);
  });
  return r;
}
