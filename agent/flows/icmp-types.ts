// ICMP request/reply pairs, so a request and its answer form one flow whose initiator is the requester.
// ICMPv4: https://www.iana.org/assignments/icmp-parameters  ICMPv6: RFC 4443, RFC 4861, RFC 2710.

/** For a reply type: the request type it answers; otherwise -1. */
const REPLY_TO_V4 = new Int16Array(256).fill(-1);
const REPLY_TO_V6 = new Int16Array(256).fill(-1);
REPLY_TO_V4[0] = 8; // echo reply → echo request
REPLY_TO_V4[14] = 13; // timestamp reply
REPLY_TO_V4[16] = 15; // information reply
REPLY_TO_V4[18] = 17; // address mask reply
REPLY_TO_V4[9] = 10; // router advertisement → router solicitation
REPLY_TO_V6[129] = 128; // echo reply
REPLY_TO_V6[134] = 133; // router advertisement
REPLY_TO_V6[136] = 135; // neighbor advertisement
REPLY_TO_V6[131] = 130; // MLD report → query

/** The type both directions of an exchange are keyed on (the request's type). */
export function icmpKeyType(v6: boolean, type: number): number {
  const r = (v6 ? REPLY_TO_V6 : REPLY_TO_V4)[type & 0xff]!;
  return r >= 0 ? r : type;
}

export function isIcmpReply(v6: boolean, type: number): boolean {
  return (v6 ? REPLY_TO_V6 : REPLY_TO_V4)[type & 0xff]! >= 0;
}
