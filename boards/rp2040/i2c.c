// I2C0 master at 400 kHz (datasheet 4.3, DW_apb_i2c). Every wait has a timeout, so a missing or
// stuck device costs a few milliseconds and an error, never a hang.
#include "rp2040_board.h"
#include "regs.h"

#define I2C_HZ 400000u
#define I2C_TIMEOUT_US 5000u
#define I2C(offset) REG32(I2C0_BASE + (offset))

void i2c_init(void) {
  REG_SET(RESETS_RESET) = RESET_I2C0;
  REG_CLR(RESETS_RESET) = RESET_I2C0;
  while ((REG32(RESETS_RESET_DONE) & RESET_I2C0) == 0) {
  }
  I2C(IC_ENABLE) = 0;
  I2C(IC_CON) = IC_CON_MASTER_MODE | IC_CON_SPEED_FAST | IC_CON_RESTART_EN | IC_CON_SLAVE_DISABLE |
                IC_CON_TX_EMPTY_CTRL;
  // SCL period in clk_peri cycles, 60 % low (fast mode needs >= 1.3 us low, >= 0.6 us high).
  uint32_t period = CLK_SYS_HZ / I2C_HZ;
  uint32_t low = period * 3u / 5u;
  uint32_t high = period - low;
  I2C(IC_FS_SCL_HCNT) = high;
  I2C(IC_FS_SCL_LCNT) = low;
  I2C(IC_FS_SPKLEN) = low < 16u ? 1u : low / 16u;
  I2C(IC_SDA_HOLD) = CLK_SYS_HZ * 3u / 10000000u + 1u; // 300 ns data hold
  for (uint32_t pin = PIN_I2C_SDA; pin <= PIN_I2C_SCL; pin++) {
    REG32(PADS_GPIO(pin)) = PAD_IE | PAD_PUE | PAD_SCHMITT | PAD_DRIVE_4MA;
    REG32(GPIO_CTRL(pin)) = GPIO_FUNC_I2C;
  }
  I2C(IC_ENABLE) = 1;
}

static uint32_t current_target = 0xffffffffu;

// The target address can change only while the controller is disabled.
static void set_target(uint8_t address) {
  if (current_target == address) return;
  current_target = address;
  I2C(IC_ENABLE) = 0;
  I2C(IC_TAR) = address;
  I2C(IC_ENABLE) = 1;
}

// After the last command: waits for the stop (or the abort), clears both; 0 ok, -1 failed.
static int finish(uint64_t deadline, bool stop) {
  for (;;) {
    uint32_t raw = I2C(IC_RAW_INTR_STAT);
    if (raw & IC_INTR_TX_ABRT) {
      (void)I2C(IC_CLR_TX_ABRT);
      // An abort ends with a stop from the controller; clear it too.
      (void)I2C(IC_CLR_STOP_DET);
      return -1;
    }
    if (!stop && (I2C(IC_STATUS) & IC_STATUS_TFE)) return 0;
    if (stop && (raw & IC_INTR_STOP_DET)) {
      (void)I2C(IC_CLR_STOP_DET);
      return 0;
    }
    if (timer_us() > deadline) return -1;
  }
}

static int push(uint32_t command, uint64_t deadline) {
  while ((I2C(IC_STATUS) & IC_STATUS_TFNF) == 0) {
    if (I2C(IC_RAW_INTR_STAT) & IC_INTR_TX_ABRT) return -1;
    if (timer_us() > deadline) return -1;
  }
  I2C(IC_DATA_CMD) = command;
  return 0;
}

int i2c_write(uint8_t address, const uint8_t *header, size_t header_length, const uint8_t *body,
              size_t body_length, bool stop) {
  size_t total = header_length + body_length;
  if (total == 0) return -1;
  uint64_t deadline = timer_us() + I2C_TIMEOUT_US + (uint64_t)total * 30u;
  set_target(address);
  for (size_t i = 0; i < total; i++) {
    uint32_t byte = i < header_length ? header[i] : body[i - header_length];
    uint32_t command = byte | ((stop && i == total - 1) ? IC_DATA_CMD_STOP : 0u);
    if (push(command, deadline) != 0) {
      (void)finish(deadline, true);
      return -1;
    }
  }
  return finish(deadline, stop);
}

int i2c_read(uint8_t address, uint8_t *data, size_t length) {
  if (length == 0) return -1;
  uint64_t deadline = timer_us() + I2C_TIMEOUT_US + (uint64_t)length * 30u;
  set_target(address);
  for (size_t i = 0; i < length; i++) {
    uint32_t command = IC_DATA_CMD_READ | (i == 0 ? IC_DATA_CMD_RESTART : 0u) |
                       (i == length - 1 ? IC_DATA_CMD_STOP : 0u);
    if (push(command, deadline) != 0) break;
    while (I2C(IC_RXFLR) == 0) {
      if ((I2C(IC_RAW_INTR_STAT) & IC_INTR_TX_ABRT) || timer_us() > deadline) {
        (void)finish(deadline, true);
        return -1;
      }
    }
    data[i] = (uint8_t)I2C(IC_DATA_CMD);
  }
  return finish(deadline, true);
}
