package testenv

import "testing"

func Test_enumName(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{name: "status in table", got: StatusCasMismatch.String(), want: "CasMismatch"},
		{name: "status past table", got: Status(99).String(), want: "Status(99)"},
		{name: "map in table", got: MapType(0).String(), want: "request_headers"},
		{name: "map past table", got: MapType(8).String(), want: "map(8)"},
		{name: "buffer past table", got: BufferType(1 << 31).String(), want: "buffer(2147483648)"},
		{name: "level in table", got: LogCritical.String(), want: "critical"},
		{name: "level past table", got: LogLevel(6).String(), want: "level(6)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("String() = %q, want %q", tc.got, tc.want)
			}
		})
	}
}
