from milestone.telemetry.intake import ingest

def test_one_trip(database, clock, enroll):
    car = enroll()
    clock.set(clock.now() + 3600)
    env = car.signer.report_trip(trip_id=b"\x01"*16, started_at=clock.now()-1800, ended_at=clock.now()-600,
        odometer_start_m=1000, odometer_end_m=21000, distance_m=20000)
    verdicts = ingest(database, clock, [env, env, b"junk"])
    print(verdicts)
    assert [v.code for v in verdicts] == ["accepted", "accepted", "unsupported_version"]
    assert verdicts[1].replayed
    again = ingest(database, clock, [env, b"junk"])
    assert again[0].replayed and again[1].replayed
