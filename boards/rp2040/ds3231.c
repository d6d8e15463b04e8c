// DS3231 RTC (Maxim datasheet): registers 0x00..0x06 hold seconds..year in BCD (24-hour mode,
// century flag in the month register), 0x0F bit 7 (OSF) says the oscillator stopped and the time
// is invalid. Civil date <-> days since 1970 with the era-based algorithm (integers only).
#include "rp2040_board.h"

#define REG_SECONDS 0x00u
#define REG_STATUS 0x0fu
#define STATUS_OSF 0x80u
#define MONTH_CENTURY 0x80u

static uint8_t from_bcd(uint8_t value) { return (uint8_t)((value >> 4) * 10u + (value & 0x0fu)); }
static uint8_t to_bcd(uint32_t value) { return (uint8_t)(((value / 10u) << 4) | (value % 10u)); }

static int64_t days_from_civil(int64_t year, uint32_t month, uint32_t day) {
  year -= month <= 2 ? 1 : 0;
  int64_t era = (year >= 0 ? year : year - 399) / 400;
  uint32_t year_of_era = (uint32_t)(year - era * 400);
  uint32_t day_of_year = (153u * (month > 2 ? month - 3 : month + 9) + 2u) / 5u + day - 1u;
  uint32_t day_of_era = year_of_era * 365u + year_of_era / 4u - year_of_era / 100u + day_of_year;
  return era * 146097 + (int64_t)day_of_era - 719468;
}

static void civil_from_days(int64_t days, int64_t *year, uint32_t *month, uint32_t *day) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  uint32_t day_of_era = (uint32_t)(days - era * 146097);
  uint32_t year_of_era = (day_of_era - day_of_era / 1460u + day_of_era / 36524u - day_of_era / 146096u) / 365u;
  uint32_t day_of_year = day_of_era - (365u * year_of_era + year_of_era / 4u - year_of_era / 100u);
  uint32_t month_index = (5u * day_of_year + 2u) / 153u;
  *day = day_of_year - (153u * month_index + 2u) / 5u + 1u;
  *month = month_index < 10 ? month_index + 3 : month_index - 9;
  *year = (int64_t)year_of_era + era * 400 + (*month <= 2 ? 1 : 0);
}

static int read_registers(uint8_t first, uint8_t *values, size_t count) {
  if (i2c_write(I2C_ADDRESS_DS3231, &first, 1, 0, 0, false) != 0) return -1;
  return i2c_read(I2C_ADDRESS_DS3231, values, count);
}

int64_t rtc_read_seconds(void) {
  uint8_t status;
  if (read_registers(REG_STATUS, &status, 1) != 0 || (status & STATUS_OSF)) return -1;
  uint8_t r[7];
  if (read_registers(REG_SECONDS, r, sizeof r) != 0) return -1;
  uint32_t seconds = from_bcd(r[0] & 0x7fu), minutes = from_bcd(r[1] & 0x7fu);
  uint32_t hours = from_bcd(r[2] & 0x3fu); // 24-hour mode: bit 6 clear, we always write it so
  uint32_t day = from_bcd(r[4] & 0x3fu), month = from_bcd(r[5] & 0x1fu);
  int64_t year = 2000 + from_bcd(r[6]) + ((r[5] & MONTH_CENTURY) ? 100 : 0);
  if (seconds > 59 || minutes > 59 || hours > 23 || day < 1 || day > 31 || month < 1 || month > 12)
    return -1;
  return days_from_civil(year, month, day) * 86400 + hours * 3600 + minutes * 60 + seconds;
}

int rtc_write_seconds(int64_t seconds) {
  if (seconds < 946684800 || seconds >= 7258118400) return -1; // 2000-01-01 .. 2199-12-31
  int64_t days = seconds / 86400;
  uint32_t in_day = (uint32_t)(seconds % 86400);
  int64_t year;
  uint32_t month, day;
  civil_from_days(days, &year, &month, &day);
  uint32_t weekday = (uint32_t)((days + 4) % 7) + 1u; // 1970-01-01 was a Thursday; 1 = Sunday
  uint8_t century = year >= 2100 ? MONTH_CENTURY : 0;
  const uint8_t values[8] = {REG_SECONDS, to_bcd(in_day % 60u), to_bcd(in_day / 60u % 60u),
                             to_bcd(in_day / 3600u), (uint8_t)weekday, to_bcd(day),
                             (uint8_t)(to_bcd(month) | century), to_bcd((uint32_t)(year % 100))};
  if (i2c_write(I2C_ADDRESS_DS3231, values, sizeof values, 0, 0, true) != 0) return -1;
  const uint8_t clear_osf[2] = {REG_STATUS, 0x00};
  return i2c_write(I2C_ADDRESS_DS3231, clear_osf, 2, 0, 0, true);
}
