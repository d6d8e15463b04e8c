// CCID 1.1 with one slot and APDU-level exchange: the "card" is the module, always present.
// Messages span bulk packets (a 10-byte header with dwLength, then data); a message whose size
// does not match its header, or a field out of range, gets a failed status with bError naming the
// field (CCID 1.1 section 6.2.6), never silence.
#include <string.h>
#include "usb_classes.h"
#include "usb_descriptors.h"

#define PC_TO_RDR_SET_PARAMETERS 0x61u
#define PC_TO_RDR_ICC_POWER_ON 0x62u
#define PC_TO_RDR_ICC_POWER_OFF 0x63u
#define PC_TO_RDR_GET_SLOT_STATUS 0x65u
#define PC_TO_RDR_ESCAPE 0x6bu
#define PC_TO_RDR_GET_PARAMETERS 0x6cu
#define PC_TO_RDR_RESET_PARAMETERS 0x6du
#define PC_TO_RDR_XFR_BLOCK 0x6fu
#define PC_TO_RDR_ABORT 0x72u
#define RDR_TO_PC_DATA_BLOCK 0x80u
#define RDR_TO_PC_SLOT_STATUS 0x81u
#define RDR_TO_PC_PARAMETERS 0x82u
#define RDR_TO_PC_ESCAPE 0x83u

// bStatus: bits 1:0 ICC status (0 active, 1 present and inactive), bits 7:6 command status
// (0 ok, 1 failed, 2 time extension requested).
#define STATUS_FAILED 0x40u
#define STATUS_TIME_EXTENSION 0x80u
#define ICC_ACTIVE 0x00u
#define ICC_INACTIVE 0x01u
// bError values.
#define ERROR_CMD_NOT_SUPPORTED 0x00u
#define ERROR_ICC_MUTE 0xfeu
#define ERROR_CMD_SLOT_BUSY 0xe0u
#define ERROR_FIELD_LENGTH 1u  // offset of dwLength
#define ERROR_FIELD_SLOT 5u    // offset of bSlot
#define ERROR_FIELD_PROTOCOL 7u // offset of bProtocolNum

#define CCID_REQUEST_ABORT 0x01u
#define TIME_EXTENSION_INTERVAL_US 500000u

// Answer to reset, the same bytes the simulator's vpcd bridge gives (host-sim/vpcd.ts): TS 3B; T0 F8
// (TA1..TD1 follow, 8 historical bytes); TA1 13, TB1 00, TC1 00; TD1 81 (TD2 follows, T=1); TD2 31
// (TA3, TB3 follow, T=1); TA3 FE (IFSC 254), TB3 15; "totpkey1"; TCK (XOR of T0..the last byte),
// added at reset.
static const uint8_t atr_body[] = {0x3b, 0xf8, 0x13, 0x00, 0x00, 0x81, 0x31, 0xfe, 0x15,
                                   't', 'o', 't', 'p', 'k', 'e', 'y', '1'};
static uint8_t atr[sizeof atr_body + 1];

// T=1 protocol data for Parameters replies (CCID 1.1 table 6.2-3).
static const uint8_t t1_parameters[7] = {0x11, 0x10, 0x00, 0x4d, 0x00, 0xfe, 0x00};

// A message in: its header here, the data of an XfrBlock written straight into the module's APDU
// buffer (usb_classes.h: one interface owns it at a time), any other message's data only counted
// (none of ours reads it). A first packet that finds the buffer being written by the HID interface
// is held in the endpoint's own buffer (not re-armed) until ccid_resume().
static uint8_t header[CCID_HEADER_BYTES];
static uint32_t rx_length; // bytes of the message so far, header included (counted past the limit too)
static bool rx_overflow;   // more than a header and CCID_MAX_APDU_BYTES
static bool rx_to_module;  // this XfrBlock's data goes to the module (the buffer is ours)
static const uint8_t *held_packet;
static uint16_t held_length;
static bool holding;
// Replies: the module sends at most 256 data bytes and the status word per APDU (docs/SPEC.md,
// "Command APDUs and replies": longer replies come in 61xx chunks); the ATR and T=1 parameters are shorter.
#define CCID_MAX_REPLY_APDU_BYTES (256u + 2u)
static uint8_t tx[CCID_HEADER_BYTES + CCID_MAX_REPLY_APDU_BYTES];
static uint32_t tx_length;
static uint32_t tx_sent;
static bool tx_active;
static bool tx_zero_length_end;
static bool icc_powered;
static bool apdu_waiting;
static uint8_t apdu_sequence;
static uint64_t last_time_extension_us;
static uint8_t time_extension[CCID_HEADER_BYTES];
static uint64_t now_cached_us;

static void put32(uint8_t *at, uint32_t value) {
  at[0] = (uint8_t)value;
  at[1] = (uint8_t)(value >> 8);
  at[2] = (uint8_t)(value >> 16);
  at[3] = (uint8_t)(value >> 24);
}

static void send_next_packet(void) {
  if (!tx_active || usb_endpoint_busy(USB_EP_CCID_IN)) return;
  uint32_t chunk = tx_length - tx_sent;
  if (chunk > USB_BULK_PACKET_BYTES) chunk = USB_BULK_PACKET_BYTES;
  if (chunk == 0 && !tx_zero_length_end) {
    tx_active = false;
    return;
  }
  if (!usb_endpoint_send(USB_EP_CCID_IN, tx + tx_sent, (uint16_t)chunk)) return;
  tx_sent += chunk;
  if (chunk < USB_BULK_PACKET_BYTES) tx_zero_length_end = false;
  if (tx_sent >= tx_length && !tx_zero_length_end) tx_active = false;
}

// A complete message is in rx and tx is free: builds the reply header and starts sending.
static void reply(uint8_t type, uint8_t sequence, uint8_t status, uint8_t error, uint8_t last,
                  const uint8_t *data, uint32_t length) {
  tx[0] = type;
  put32(tx + 1, length);
  tx[5] = 0; // slot
  tx[6] = sequence;
  tx[7] = status;
  tx[8] = error;
  tx[9] = last;
  if (length) memcpy(tx + CCID_HEADER_BYTES, data, length);
  tx_length = CCID_HEADER_BYTES + length;
  tx_sent = 0;
  // A reply filling whole packets ends with a zero-length packet so the host's read completes.
  tx_zero_length_end = (tx_length % USB_BULK_PACKET_BYTES) == 0;
  tx_active = true;
  send_next_packet();
}

static uint8_t icc_status(void) { return icc_powered ? ICC_ACTIVE : ICC_INACTIVE; }

static void slot_status(uint8_t sequence, uint8_t status, uint8_t error) {
  reply(RDR_TO_PC_SLOT_STATUS, sequence, status, error, 0, 0, 0);
}

static uint32_t declared_length(void) {
  return (uint32_t)header[1] | ((uint32_t)header[2] << 8) | ((uint32_t)header[3] << 16) | ((uint32_t)header[4] << 24);
}

// Data bytes of this message now in the module's buffer.
static uint32_t rx_written(void) {
  uint32_t data = rx_length > CCID_HEADER_BYTES ? rx_length - CCID_HEADER_BYTES : 0;
  return data < CCID_MAX_APDU_BYTES ? data : CCID_MAX_APDU_BYTES;
}

static void receive_next(void) {
  rx_length = 0;
  rx_overflow = false;
  rx_to_module = false;
  usb_endpoint_receive(USB_EP_CCID_OUT);
}

static void handle_message(void) {
  uint8_t type = header[0];
  uint32_t data_length = declared_length();
  uint8_t slot = header[5], sequence = header[6];
  if (rx_overflow || data_length != rx_length - CCID_HEADER_BYTES) {
    slot_status(sequence, STATUS_FAILED | icc_status(), ERROR_FIELD_LENGTH);
    return;
  }
  if (slot != 0) {
    slot_status(sequence, STATUS_FAILED | 0x02u /* no ICC in that slot */, ERROR_FIELD_SLOT);
    return;
  }
  switch (type) {
  case PC_TO_RDR_ICC_POWER_ON:
    icc_powered = true;
    usb_session_reset(); // a new session: selection and access password forgotten
    reply(RDR_TO_PC_DATA_BLOCK, sequence, ICC_ACTIVE, 0, 0, atr, sizeof atr);
    return;
  case PC_TO_RDR_ICC_POWER_OFF:
    icc_powered = false;
    usb_session_reset();
    slot_status(sequence, ICC_INACTIVE, 0);
    return;
  case PC_TO_RDR_GET_SLOT_STATUS:
  case PC_TO_RDR_ABORT:
    slot_status(sequence, icc_status(), 0);
    return;
  case PC_TO_RDR_GET_PARAMETERS:
  case PC_TO_RDR_RESET_PARAMETERS:
    reply(RDR_TO_PC_PARAMETERS, sequence, icc_status(), 0, 1, t1_parameters, sizeof t1_parameters);
    return;
  case PC_TO_RDR_SET_PARAMETERS:
    if (header[7] != 1) {
      reply(RDR_TO_PC_PARAMETERS, sequence, STATUS_FAILED | icc_status(), ERROR_FIELD_PROTOCOL, 1,
            t1_parameters, sizeof t1_parameters);
    } else {
      reply(RDR_TO_PC_PARAMETERS, sequence, icc_status(), 0, 1, t1_parameters, sizeof t1_parameters);
    }
    return;
  case PC_TO_RDR_ESCAPE:
    reply(RDR_TO_PC_ESCAPE, sequence, STATUS_FAILED | icc_status(), ERROR_CMD_NOT_SUPPORTED, 0, 0, 0);
    return;
  case PC_TO_RDR_XFR_BLOCK:
    if (!icc_powered) {
      reply(RDR_TO_PC_DATA_BLOCK, sequence, STATUS_FAILED | ICC_INACTIVE, ERROR_ICC_MUTE, 0, 0, 0);
      return;
    }
    if (data_length == 0) {
      reply(RDR_TO_PC_DATA_BLOCK, sequence, STATUS_FAILED | ICC_ACTIVE, ERROR_FIELD_LENGTH, 0, 0, 0);
      return;
    }
    apdu_sequence = sequence;
    apdu_waiting = true;
    last_time_extension_us = now_cached_us;
    // The reply may come right away. Refused: another interface's command waits for its reply
    // (or ours timed out mid-message and the buffer went).
    if (!rx_to_module || !usb_apdu_submit(APDU_TRANSPORT_CCID, data_length)) {
      apdu_waiting = false;
      reply(RDR_TO_PC_DATA_BLOCK, sequence, STATUS_FAILED | ICC_ACTIVE, ERROR_CMD_SLOT_BUSY, 0, 0, 0);
    }
    return;
  default:
    slot_status(sequence, STATUS_FAILED | icc_status(), ERROR_CMD_NOT_SUPPORTED);
    return;
  }
}

void ccid_apdu_response(const uint8_t *response, uint32_t length) {
  if (!apdu_waiting) return;
  apdu_waiting = false;
  // Longer than a chunk breaks the module's own rule: "no precise diagnosis" rather than a cut reply.
  static const uint8_t too_long[2] = {0x6f, 0x00};
  if (length > CCID_MAX_REPLY_APDU_BYTES) {
    response = too_long;
    length = sizeof too_long;
  }
  // A time extension may still be queued on the endpoint: reply() then waits for ccid_sent().
  reply(RDR_TO_PC_DATA_BLOCK, apdu_sequence, ICC_ACTIVE, 0, 0, response, length);
}

void ccid_reset(void) {
  if (rx_to_module) usb_apdu_abandon(APDU_TRANSPORT_CCID, rx_written());
  rx_length = 0;
  rx_overflow = false;
  rx_to_module = false;
  holding = false; // the endpoint is deconfigured: a held packet is gone
  tx_active = false;
  icc_powered = false;
  apdu_waiting = false;
  uint8_t check = 0;
  for (uint32_t i = 1; i < sizeof atr_body; i++) check ^= atr_body[i];
  memcpy(atr, atr_body, sizeof atr_body);
  atr[sizeof atr_body] = check;
}

void ccid_configured(void) { receive_next(); }

usb_control_result ccid_control(const usb_setup_packet *setup) {
  // Class request ABORT (no data); GET_CLOCK_FREQUENCIES / GET_DATA_RATES are for readers that
  // list them (we list none) and stall like any other request.
  if ((setup->request_type & (USB_REQUEST_TYPE_MASK | USB_REQUEST_DIRECTION_IN)) == USB_REQUEST_TYPE_CLASS &&
      setup->request == CCID_REQUEST_ABORT && setup->length == 0)
    return USB_CONTROL_REPLY;
  return USB_CONTROL_STALL;
}

void ccid_sent(void) {
  send_next_packet();
  if (tx_active) return;
  if (!apdu_waiting && !holding) receive_next(); // the reply is out: take the next command
}

// The header is in: an XfrBlock the module could take claims its buffer.
static bool header_received(const uint8_t *packet, uint16_t packet_length) {
  uint32_t declared = declared_length();
  if (header[0] != PC_TO_RDR_XFR_BLOCK || header[5] != 0 || !icc_powered || declared == 0 ||
      declared > CCID_MAX_APDU_BYTES)
    return true; // answered without the module (an error or not an APDU): data only counted
  if (!usb_apdu_claim(APDU_TRANSPORT_CCID)) {
    held_packet = packet; // the endpoint's buffer: unchanged until it is re-armed
    held_length = packet_length;
    holding = true;
    rx_length = 0;
    return false;
  }
  rx_to_module = true;
  return true;
}

void ccid_received(const uint8_t *data, uint16_t length) {
  if (length == 0 && rx_length == 0) { // a zero-length packet between messages carries nothing
    usb_endpoint_receive(USB_EP_CCID_OUT);
    return;
  }
  bool short_packet = length < USB_BULK_PACKET_BYTES;
  uint16_t at = 0;
  if (rx_length < CCID_HEADER_BYTES) {
    at = (uint16_t)(CCID_HEADER_BYTES - rx_length);
    if (at > length) at = length;
    memcpy(header + rx_length, data, at);
    rx_length += at;
    if (rx_length == CCID_HEADER_BYTES && !header_received(data, length)) return;
  }
  uint32_t written = rx_written();
  rx_length += length - at;
  if (rx_length > CCID_MAX_MESSAGE_BYTES) rx_overflow = true;
  if (rx_to_module) usb_apdu_write(APDU_TRANSPORT_CCID, written, data + at, rx_written() - written);
  bool header_complete = rx_length >= CCID_HEADER_BYTES;
  uint32_t declared = header_complete ? declared_length() : 0;
  // The message ends at its declared length, or at a short packet (then the lengths disagree).
  bool complete = short_packet || (header_complete && !rx_overflow && rx_length >= CCID_HEADER_BYTES + declared &&
                                   declared <= CCID_MAX_APDU_BYTES);
  if (!complete) { // more to come (an overflowing one is drained until the host's transfer ends)
    usb_endpoint_receive(USB_EP_CCID_OUT);
    return;
  }
  if (!header_complete) {
    // Too short to be a message: answer with what we can (sequence unknown -> 0).
    slot_status(0, STATUS_FAILED | icc_status(), ERROR_FIELD_LENGTH);
    return;
  }
  bool owned = rx_to_module;
  handle_message();
  if (owned) usb_apdu_abandon(APDU_TRANSPORT_CCID, rx_written()); // unless the module took it
  rx_to_module = false;
  if (!tx_active && !apdu_waiting) receive_next();
}

void ccid_resume(void) {
  if (!holding) return;
  holding = false;
  ccid_received(held_packet, held_length);
}

void ccid_receive_timeout(void) {
  usb_apdu_abandon(APDU_TRANSPORT_CCID, rx_written());
  rx_to_module = false; // the rest is counted, then answered "slot busy"
}

void ccid_task(uint64_t now_us) {
  now_cached_us = now_us;
  // While the module waits (for a press on the token), tell the host to keep waiting.
  // One packet from its own buffer, so the reply can be built in tx meanwhile.
  if (apdu_waiting && !tx_active && !usb_endpoint_busy(USB_EP_CCID_IN) &&
      now_us - last_time_extension_us >= TIME_EXTENSION_INTERVAL_US) {
    last_time_extension_us = now_us;
    memset(time_extension, 0, sizeof time_extension);
    time_extension[0] = RDR_TO_PC_DATA_BLOCK;
    time_extension[6] = apdu_sequence;
    time_extension[7] = STATUS_TIME_EXTENSION | ICC_ACTIVE;
    time_extension[8] = 1; // bError carries the waiting-time multiplier
    usb_endpoint_send(USB_EP_CCID_IN, time_extension, sizeof time_extension);
  }
}
