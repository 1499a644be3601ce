from ninja import Router

router = Router(tags=["past jobs"])
