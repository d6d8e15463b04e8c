// The USB classes of the composite device, and what they need from the application.
#ifndef TOTPKEY_USB_CLASSES_H
#define TOTPKEY_USB_CLASSES_H
#include <stdbool.h>
#include <stdint.h>
#include "usb_device.h"

// Provided by the application (main.c).
// The classes keep no command buffer: a command is assembled in the module's own APDU buffer
// (app_apdu_write, checked by the host; bytes NULL writes zeros) and handed over with
// app_apdu_submit(length), which always ends in a usb_apdu_response (now or later).
void app_apdu_write(uint32_t offset, const uint8_t *bytes, uint32_t length);
bool app_apdu_submit(uint32_t length);
void app_keyboard_leds(uint8_t bits);
/** The CCID host powered the card on or off: a new session for the module (session_reset). */
void app_session_reset(void);

// Which interface an APDU came in on: its reply goes back there.
typedef enum { APDU_TRANSPORT_NONE = 0, APDU_TRANSPORT_CCID, APDU_TRANSPORT_HID } apdu_transport;

// The module's reply to the last submitted APDU.
void usb_apdu_response(const uint8_t *response, uint32_t length);
// 0 sent, 1 busy (previous report still queued), -1 no keyboard (not configured).
int usb_keyboard_send(const uint8_t *report, uint32_t length);
// Periodic work: CCID time extensions while an APDU waits.
void usb_classes_task(uint64_t now_us);

// usb_hid.c
void hid_reset(void);
void hid_configured(void);
usb_control_result hid_control(const usb_setup_packet *setup, const uint8_t **reply, uint16_t *reply_length);
bool hid_control_data(const usb_setup_packet *setup, const uint8_t *data, uint16_t length);
void hid_sent(uint8_t endpoint_address);
void hid_received(uint8_t endpoint_address, const uint8_t *data, uint16_t length);
void hid_apdu_response(const uint8_t *response, uint32_t length);
void hid_resume(void);          // a held initial frame goes on (the buffer is free)
void hid_receive_timeout(void); // the message stopped coming: dropped, the buffer released

// usb_ccid.c
void ccid_reset(void);
void ccid_configured(void);
usb_control_result ccid_control(const usb_setup_packet *setup);
void ccid_sent(void);
void ccid_received(const uint8_t *data, uint16_t length);
void ccid_apdu_response(const uint8_t *response, uint32_t length);
void ccid_task(uint64_t now_us);
void ccid_resume(void);          // a held first packet goes on (the buffer is free)
void ccid_receive_timeout(void); // the XfrBlock stopped coming: the buffer released, "slot busy" at its end

// Shared (usb_classes.c): which transport waits for a reply, and which one owns the module's APDU
// buffer. One interface at a time writes a command there, from its first packet until the module
// has it (apdu() takes it and wipes it); the other holds its first packet back meanwhile (its OUT
// endpoint is not re-armed: the host's controller retries) and gets resume() once the buffer is
// free. The buffer is free while a command waits for a press (the module keeps nothing in it).
extern apdu_transport apdu_waiting_transport;
// True: the buffer is the caller's until usb_apdu_submit or usb_apdu_abandon. False: the other
// interface is writing its command: hold the packet, retry at resume.
bool usb_apdu_claim(apdu_transport transport);
// Writes bytes of the owner's command at `offset` (the caller bounds offset + length by CCID_MAX_APDU_BYTES).
void usb_apdu_write(apdu_transport transport, uint32_t offset, const uint8_t *bytes, uint32_t length);
// Hands the owner's command of `length` bytes to the module and releases the buffer; false (the
// buffer kept) when a command still waits for its reply: one APDU in flight.
bool usb_apdu_submit(apdu_transport transport, uint32_t length);
// Wipes the first `written` bytes of an unfinished command and releases the buffer (no-op if not the owner).
void usb_apdu_abandon(apdu_transport transport, uint32_t written);
// A CCID power on/off: a new session for the module; a command it drops gets 6F00.
void usb_session_reset(void);

#endif
