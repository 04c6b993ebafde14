"""Run the simulator standalone:

python -m app.simulator --port 3001 --signing-secret X --request-url URL
"""

from __future__ import annotations

import argparse
import time

from app.simulator import SlackSimulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    parser.add_argument("--signing-secret", default="sim-signing-secret")
    parser.add_argument("--request-url", help="where Slack requests for the app go")
    parser.add_argument("--user", action="append", default=[], help="add a user (repeatable)")
    parser.add_argument("--channel", action="append", default=[], help="add a channel")
    options = parser.parse_args(argv)

    sim = SlackSimulator(options.signing_secret, host=options.host, port=options.port).start()
    users = [sim.add_user(name) for name in options.user]
    for name in options.channel:
        sim.add_channel(name, members=users)
    if options.request_url:
        sim.connect(options.request_url)
    lines = [
        f"api_url={sim.api_url}",
        f"bot_token={sim.bot_token}",
        f"team_id={sim.team_id} bot_user_id={sim.bot_user_id} app_id={sim.app_id}",
        *(f"user {sim.ws.users[uid].name}={uid}" for uid in users),
        *(f"channel #{c.name}={c.id}" for c in sim.ws.channels.values()),
    ]
    print("\n".join(lines), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
