/** What the dialplan told us about a call before its AudioSocket connection arrived. */
export interface CallMetadata {
  did: string;
  callerId: string;
  /** Asterisk channel name, e.g. PJSIP/trunk-0000002a (FastAGI only). */
  channel?: string;
  /** Asterisk's own call id, e.g. 1718000000.42 (not a UUID). */
  uniqueId?: string;
  /** Audio rate the dialplan declared (FastAGI `format=slin16`); the AudioSocket call starts at it. */
  sampleRate?: number;
  /**
   * Which route delivered it: FastAGI pattern 5.1 / 5.2 (docs/protocols/agi.md §5), the AGI-script
   * file, or the dashboard's browser call.
   */
  source: 'fastagi-5.1' | 'fastagi-5.2' | 'metadata-file' | 'browser';
}
