#!/usr/bin/env python3
"""Captures the text and binary forms of sample values from a real server into captured-values.tsv.

Run against any PostgreSQL (PGHOST/PGPORT/PGUSER as for psql):  python3 capture.py > captured-values.tsv
Text forms are the types' output functions (not ::text casts, which differ for bool, inet, bpchar) under the
replication session's settings; binary forms are the types' send functions, i.e. exactly what
pgoutput sends with binary=true. Columns: type OID, SQL literal, text form (hex of UTF-8), binary form (hex).
"""
import subprocess

CASES = [
    ("int2", ["0", "-32768", "32767"]),
    ("int4", ["5", "-2147483648", "2147483647"]),
    ("int8", ["0", "-9223372036854775808", "9223372036854775807"]),
    ("float4", ["1.5", "'-0'", "3.4028235e38", "1e-45", "0.1", "'NaN'", "'Infinity'", "'-Infinity'"]),
    ("float8", ["898912.821982", "'-0'", "1.7976931348623157e308", "5e-324", "0.1", "'NaN'", "'Infinity'", "'-Infinity'"]),
    ("numeric", ["0", "0.00", "1.50", "-1.5", "2323.34", "123456789.123456789", "0.0001", "0.00001", "10000",
                 "100000000", "-0.000000001", "1e-20", "1e20", "'NaN'", "'Infinity'", "'-Infinity'",
                 "(repeat('9', 500) || '.' || repeat('1', 500))::numeric", "(repeat('12345', 200))::numeric"]),
    ("numeric(38,9)", ["2323.34", "-1"]),
    ("bool", ["true", "false"]),
    ("text", ["''", "'string data \n \r \u008e 🦆'", "'a\"b\\\\c,{}'"]),
    ("varchar(25)", ["'abc'"]),
    ("bpchar(5)", ["'ab'"]),
    ("name", ["'a name'"]),
    ("bytea", ["''::bytea", "'\\x00ff10'::bytea", "'binary data \n \r'::bytea"]),
    ("uuid", ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"]),
    ("date", ["'2023-02-27'", "'2000-01-01'", "'1999-12-31'", "'0044-03-15 BC'", "'4713-01-01 BC'", "'5874897-12-31'",
              "'infinity'", "'-infinity'"]),
    ("time", ["'13:26:45.176451'", "'00:00:00'", "'23:59:59.999999'", "'24:00:00'", "'12:00:00.5'"]),
    ("timetz", ["'13:26:45.176451+00'", "'13:26:45+05:30'", "'01:02:03-03'", "'01:02:03.1+01:02:03'", "'24:00:00+01'"]),
    ("timestamp", ["'2022-05-23 13:26:45.176451'", "'2000-01-01 00:00:00'", "'1970-01-01 00:00:00.000001'",
                   "'1999-12-31 23:59:59.999999'", "'0044-03-15 12:00:00 BC'", "'294276-12-31 23:59:59.999999'",
                   "'infinity'", "'-infinity'"]),
    ("timestamptz", ["'2022-05-23T13:26:45.176451+00:00'", "'2022-05-23 13:26:45+05:30'", "'1900-01-01 00:00:00+00'",
                     "'0044-03-15 12:00:00+00 BC'", "'infinity'", "'-infinity'"]),
    ("interval", ["'0'", "'1 year 2 months 3 days 4 hours 5 minutes 6.5 seconds'", "'-1 year -2 months'",
                  "'1 year -2 months'", "'-3 days 4 hours'", "'-0.5 seconds'", "'-1.000001 seconds'",
                  "'1.1 seconds'", "'0.000001 seconds'", "'100 hours'", "'-100 hours -30 minutes'",
                  "'1 mon -1 day 1 hour -1 minute 1 second'", "'3 days -0.25 seconds'", "'-1 hour 30 minutes'",
                  "'178000000 years'", "'-178000000 years'", "'2562047788 hours'"]),
    ("json", ["'{\"complex\":[1,2,3,\"a\"],\"link\":\"a\\nb \\\"q\\\" %20\"}'", "'[]'", "'null'"]),
    ("jsonb", ["'{\"complex\":[1,2,3,\"a\"],\"n\":1.50,\"nested\":{\"x\":[null,true]}}'", "'\"s\"'"]),
    ("int4[]", ["'{1,2,NULL}'", "'{}'", "'{{1,2},{3,4}}'", "'[0:1]={7,8}'", "'{{{1},{2}},{{3},{4}}}'"]),
    ("text[]", ["'{\"a b\",\"c,d\",\"e\\\"f\",\"NULL\",NULL,\"\",\"{x}\",\"back\\\\slash\"}'"]),
    ("numeric[]", ["'{1.50,NaN,-3}'"]),
    ("float8[]", ["'{NaN,Infinity,-Infinity,1.5}'"]),
    ("bool[]", ["'{t,f,NULL}'"]),
    ("bytea[]", ["ARRAY['\\x00ff'::bytea, NULL]"]),
    ("date[]", ["'{2023-02-27,infinity}'"]),
    ("timestamptz[]", ["ARRAY['2022-05-23 13:26:45.176451+00'::timestamptz]"]),
    ("interval[]", ["ARRAY['1 day'::interval, '-1.5 seconds']"]),
    ("jsonb[]", ["ARRAY['{\"a\":1}'::jsonb, NULL]"]),
    ("uuid[]", ["ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid]"]),
    ("varchar[]", ["'{x,y}'"]),
    ("inet", ["'192.168.0.1'", "'192.168.0.0/24'", "'::1'", "'2001:db8::1/64'", "'::ffff:1.2.3.4'", "'::1.2.3.4'",
              "'2001:db8:0:0:1:0:0:1'", "'1:0:0:2:0:0:0:3'", "'fe80::'", "'0.0.0.0/0'", "'::'"]),
    ("cidr", ["'192.168.0.0/24'", "'10.0.0.1/32'", "'2001:db8::/32'", "'::/0'"]),
    ("macaddr", ["'08:00:2b:01:02:03'"]),
    ("macaddr8", ["'08:00:2b:01:02:03:04:05'"]),
    ("bit(1)", ["B'1'"]),
    ("bit(10)", ["B'1010000011'"]),
    ("varbit", ["B''", "B'0111111110'"]),
    ("oid", ["0", "4294967295"]),
    ("pg_lsn", ["'0/0'", "'16/B374D848'", "'FFFFFFFF/FFFFFFFF'"]),
    ('"char"', ["'a'", "''", "'\\200'::\"char\""]),
    ("xml", ["'<a b=\"1\">x</a>'", "'<?xml version=\"1.0\"?><r/>'"]),
    ("inet[]", ["'{10.0.0.1,::1}'"]),
]

def psql(sql):
    env = dict(__import__("os").environ, PGOPTIONS="-c DateStyle=ISO -c TimeZone=UTC -c IntervalStyle=iso_8601"
               " -c bytea_output=hex -c extra_float_digits=3")
    return subprocess.run(["psql", "-X", "-Atq", "-F", "\t", "-c", sql], env=env, check=True, capture_output=True,
                          text=True).stdout.rstrip("\n")

for typ, literals in CASES:
    oid, out, send = psql(f"SELECT '{typ}'::regtype::oid, typoutput, typsend FROM pg_type"
                          f" WHERE oid = '{typ}'::regtype").split("\t")
    for lit in literals:
        expr = f"({lit})::{typ}"
        text_hex, bin_hex = psql(f"SELECT encode(convert_to({out}({expr})::text, 'UTF8'), 'hex'),"
                                 f" encode({send}({expr}), 'hex')").split("\t")
        print(f"{oid}\t{expr.replace(chr(10), chr(92) + 'n').replace(chr(13), chr(92) + 'r')}\t{text_hex}\t{bin_hex}")
