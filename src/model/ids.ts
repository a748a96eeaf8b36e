/** An id made of parts, safe as a BullMQ job id and a Redis key part: anything unusual becomes `_`. */
export const safeId = (...parts: (string | number)[]): string =>
  parts.join("-").replace(/[^A-Za-z0-9._-]/g, "_");
