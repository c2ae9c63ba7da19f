{{ stage_observations('comtrade_observations') }}
